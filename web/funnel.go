package web

import (
	"net/http"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// FunnelData is what the funnel page shows: the builder as filled in, and
// the funnel it ran.
type FunnelData struct {
	Scope      ScopeForm
	Activities []Choice
	// Steps are the builder's rows: at least two, empty ones included.
	Steps  []FunnelStepForm
	Window string
	Order  string
	// By is the breakdown's kind (channel, trait, property) and ByKey its
	// trait or property name.
	By, ByKey string
	Windows   []Choice
	Ops       []Choice
	Error     string
	Result    *touchpoint.FunnelResponse
	// NoneEntered is set when no customer did step 1 in the period.
	NoneEntered bool
	// Rows pairs each result step with what the page shows of it.
	Rows      []FunnelRow
	Breakdown []FunnelBreakdownRow
	Dropped   []DroppedCustomer
	Charts    FunnelCharts
}

// FunnelStepForm is one step of the builder.
type FunnelStepForm struct {
	Event string
	Where []touchpoint.Condition
}

// WhereValue shows a condition's value in the builder's text field.
func (c FunnelStepForm) WhereValue(i int) string {
	vals := c.Where[i].Values()
	return strings.Join(vals, ", ")
}

// FunnelRow is one step of the result.
type FunnelRow struct {
	touchpoint.FunnelStepResult
	N       int
	Label   string
	Filters string
}

// FunnelBreakdownRow is one value of the breakdown with its counts.
type FunnelBreakdownRow struct {
	Value      string
	Counts     []int64
	Conversion float64
}

// DroppedCustomer is a customer who reached one step and not the next.
type DroppedCustomer struct {
	Step     int
	Before   string
	Customer CustomerLink
}

// FunnelCharts is the funnel chart's data.
type FunnelCharts struct {
	Funnel []FunnelPoint `json:"funnel"`
}

// FunnelPoint is one bar of the funnel chart.
type FunnelPoint struct {
	Label          string   `json:"label"`
	Count          int64    `json:"count"`
	Dropped        int64    `json:"dropped"`
	Conversion     float64  `json:"conversion"`
	StepConversion float64  `json:"step_conversion"`
	Median         *float64 `json:"median_seconds"`
	MedianStart    *float64 `json:"median_seconds_from_start"`
}

var funnelWindows = []string{"1h", "1d", "3d", "7d", "14d", "30d", "90d"}

// conditionOps are the operators a step filter offers.
var conditionOps = []Choice{{Value: "eq", Label: "is"}, {Value: "ne", Label: "is not"}, {Value: "contains", Label: "contains"},
	{Value: "in", Label: "is one of"}, {Value: "gt", Label: ">"}, {Value: "gte", Label: "≥"}, {Value: "lt", Label: "<"},
	{Value: "lte", Label: "≤"}, {Value: "exists", Label: "is set"}, {Value: "not_exists", Label: "is not set"}}

func (d *Dashboard) loadFunnel(r *http.Request, v *View) error {
	ctx := r.Context()
	q := r.URL.Query()
	form, scope, err := d.analyticsScope(r, d.cfg.Clock.Now(), v.Workspace.ID, 30)
	if err != nil {
		return err
	}
	data := FunnelData{Scope: form, Window: q.Get("window"), Order: q.Get("order"), By: q.Get("by"), ByKey: strings.TrimSpace(q.Get("by_key"))}
	if data.Window == "" {
		data.Window = "7d"
	}
	if data.Order == "" {
		data.Order = touchpoint.OrderLoose
	}
	for _, w := range funnelWindows {
		data.Windows = append(data.Windows, Choice{Value: w, Label: windowLabel(w), Selected: w == data.Window})
	}
	if !containsChoice(data.Windows, data.Window) {
		data.Windows = append(data.Windows, Choice{Value: data.Window, Label: data.Window, Selected: true})
	}
	data.Ops = conditionOps

	// Steps and their filters: ?step=A&step=B, and filters as parallel
	// lists ?wstep=0&wfield=properties.plan&wop=eq&wvalue=pro.
	var req touchpoint.FunnelRequest
	for _, ev := range q["step"] {
		data.Steps = append(data.Steps, FunnelStepForm{Event: ev})
	}
	wstep, wfield, wop, wvalue := q["wstep"], q["wfield"], q["wop"], q["wvalue"]
	for i := range wstep {
		n := atoiOr(wstep[i], -1)
		field := strings.TrimSpace(at(wfield, i))
		if n < 0 || n >= len(data.Steps) || field == "" {
			continue
		}
		data.Steps[n].Where = append(data.Steps[n].Where, formCondition(field, at(wop, i), at(wvalue, i)))
	}
	chosen := []string{}
	for _, s := range data.Steps {
		chosen = append(chosen, s.Event)
		if strings.TrimSpace(s.Event) != "" {
			req.Steps = append(req.Steps, touchpoint.FunnelStep{Event: s.Event, Where: s.Where})
		}
	}
	for len(data.Steps) < 2 {
		data.Steps = append(data.Steps, FunnelStepForm{})
	}
	if data.Activities, err = d.activityChoices(ctx, v.Workspace.ID, chosen...); err != nil {
		return err
	}
	v.Data = &data
	if len(req.Steps) == 0 {
		return nil
	}

	req.Scope, req.Window, req.Order = scope, data.Window, data.Order
	switch data.By {
	case "channel":
		req.Breakdown = "channel"
	case "trait":
		if data.ByKey != "" {
			req.Breakdown = "trait." + strings.TrimPrefix(data.ByKey, "trait.")
		}
	case "property":
		if data.ByKey != "" {
			req.Breakdown = "properties." + strings.TrimPrefix(data.ByKey, "properties.")
		}
	}
	res, err := d.cfg.Analytics.Funnel(ctx, req)
	if data.Error, err = analysisError(err); err != nil || data.Error != "" {
		return err
	}
	data.Result = res
	if len(res.Steps) == 0 || res.Steps[0].Count == 0 {
		data.NoneEntered = true
		return nil
	}
	var ids []string
	for i, st := range res.Steps {
		row := FunnelRow{FunnelStepResult: st, N: i + 1, Label: activityLabel(st.Event)}
		var fs []string
		for _, c := range req.Steps[i].Where {
			fs = append(fs, conditionText(c))
		}
		row.Filters = strings.Join(fs, " and ")
		data.Rows = append(data.Rows, row)
		label := row.Label
		if row.Filters != "" {
			label += " (" + row.Filters + ")"
		}
		data.Charts.Funnel = append(data.Charts.Funnel, FunnelPoint{Label: label, Count: st.Count, Dropped: st.Dropped,
			Conversion: st.Conversion, StepConversion: st.StepConversion, Median: st.MedianSeconds, MedianStart: st.MedianSecondsFromStart})
		ids = append(ids, st.DroppedProfiles...)
	}
	names := d.customerLinks(ctx, v, ids)
	for i, st := range res.Steps {
		for _, id := range st.DroppedProfiles {
			data.Dropped = append(data.Dropped, DroppedCustomer{Step: i + 1, Before: activityLabel(st.Event), Customer: names[id]})
		}
	}
	for _, b := range res.Breakdown {
		row := FunnelBreakdownRow{Value: b.Value, Counts: b.Counts}
		if len(b.Counts) > 0 && b.Counts[0] > 0 {
			row.Conversion = float64(b.Counts[len(b.Counts)-1]) / float64(b.Counts[0])
		}
		data.Breakdown = append(data.Breakdown, row)
	}
	return nil
}

// LastMedian is the median time from the first step to the last.
func (d *FunnelData) LastMedian() string {
	if d.Result == nil || len(d.Result.Steps) == 0 {
		return "–"
	}
	return secondsPtr(d.Result.Steps[len(d.Result.Steps)-1].MedianSecondsFromStart)
}

// Converted is how many customers made every step.
func (d *FunnelData) Converted() int64 {
	if d.Result == nil || len(d.Result.Steps) == 0 {
		return 0
	}
	return d.Result.Steps[len(d.Result.Steps)-1].Count
}

// Conversion is the share of customers who entered and made every step.
func (d *FunnelData) Conversion() float64 {
	if d.Result == nil || len(d.Result.Steps) == 0 {
		return 0
	}
	return d.Result.Steps[len(d.Result.Steps)-1].Conversion
}

// formCondition reads a filter row: "in" takes a comma-separated list, the
// comparisons a number.
func formCondition(field, op, value string) touchpoint.Condition {
	if op == "" {
		op = "eq"
	}
	c := touchpoint.Condition{Field: field, Op: op}
	value = strings.TrimSpace(value)
	switch op {
	case "exists", "not_exists":
	case "in":
		var vs []any
		for _, s := range strings.Split(value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				vs = append(vs, s)
			}
		}
		c.Value = vs
	case "gt", "gte", "lt", "lte":
		if f, err := parseFloat(value); err == nil {
			c.Value = f
		} else {
			c.Value = value // the analysis names the field and says a number is wanted
		}
	default:
		c.Value = value
	}
	return c
}

// conditionText reads a condition for a person: "plan is pro".
func conditionText(c touchpoint.Condition) string {
	field := c.Field
	if k, ok := strings.CutPrefix(field, "properties."); ok {
		field = k
	}
	op := c.Op
	for _, o := range conditionOps {
		if o.Value == c.Op {
			op = o.Label
		}
	}
	switch c.Op {
	case "exists", "not_exists":
		return field + " " + op
	}
	return field + " " + op + " " + strings.Join(c.Values(), ", ")
}

func windowLabel(w string) string {
	unit := map[byte]string{'s': "second", 'm': "minute", 'h': "hour", 'd': "day", 'w': "week"}[w[len(w)-1]]
	n := w[:len(w)-1]
	if unit == "" {
		return w
	}
	if n != "1" {
		unit += "s"
	}
	return n + " " + unit
}

func containsChoice(cs []Choice, v string) bool {
	for _, c := range cs {
		if c.Value == v {
			return true
		}
	}
	return false
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// EmptyStep is the builder's blank step, for the "add a step" button.
func (d *FunnelData) EmptyStep() FunnelStepForm { return FunnelStepForm{} }

// EmptyCondition is the builder's blank filter.
func (d *FunnelData) EmptyCondition() touchpoint.Condition { return touchpoint.Condition{Op: "eq"} }

// ByLabel names the breakdown.
func (d *FunnelData) ByLabel() string {
	switch d.By {
	case "channel":
		return "channel"
	case "trait", "property":
		return d.ByKey
	}
	return ""
}
