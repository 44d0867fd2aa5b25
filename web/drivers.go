package web

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// DriversData is what the key drivers page shows.
type DriversData struct {
	Scope     ScopeForm
	Outcome   string
	Outcomes  []Choice
	Lookbacks []Choice
	Lookback  int
	Error     string
	Result    *touchpoint.DriversResponse
	Rows      []DriverRow
	// Summary says the top drivers in plain words.
	Summary []string
	Charts  DriversCharts
}

// DriverRow is one factor of the table.
type DriverRow struct {
	touchpoint.Driver
	Label string
	// Good is whether the factor moves the outcome the right way (higher
	// scores, less churn).
	Good bool
}

// DriversCharts is the forest chart's data.
type DriversCharts struct {
	Forest ForestData `json:"forest"`
}

// ForestData is a forest chart: an effect and its interval per factor.
type ForestData struct {
	Items []ForestItem `json:"items"`
	// Unit says what the effect is measured in; HigherIsBad flips the
	// colours (churn).
	Unit        string `json:"unit"`
	HigherIsBad bool   `json:"higher_is_bad"`
}

// ForestItem is one row of a forest chart.
type ForestItem struct {
	Label       string  `json:"label"`
	Effect      float64 `json:"effect"`
	Low         float64 `json:"low"`
	High        float64 `json:"high"`
	Significant bool    `json:"significant"`
	Prevalence  float64 `json:"prevalence"`
}

var outcomeNames = map[string]string{
	touchpoint.OutcomeNPS: "NPS", touchpoint.OutcomeCSAT: "CSAT", touchpoint.OutcomeCES: "CES", touchpoint.OutcomeChurn: "Churn",
}

// outcomeUnit says what a survey outcome's effect is counted in.
var outcomeUnit = map[string]string{
	touchpoint.OutcomeNPS:   "points on the 0–10 answer",
	touchpoint.OutcomeCSAT:  "points on the 1–5 answer",
	touchpoint.OutcomeCES:   "points on the 1–7 answer (7 = easiest)",
	touchpoint.OutcomeChurn: "change in the log-odds of churning per standard deviation",
}

// forestSize is how many factors the chart draws; the table lists all.
const forestSize = 15

func (d *Dashboard) loadDrivers(r *http.Request, v *View) error {
	q := r.URL.Query()
	form, scope, err := d.analyticsScope(r, d.cfg.Clock.Now(), v.Workspace.ID, 90)
	if err != nil {
		return err
	}
	data := DriversData{Scope: form, Outcome: q.Get("outcome"), Lookback: atoiOr(q.Get("lookback"), 30)}
	if outcomeNames[data.Outcome] == "" {
		data.Outcome = touchpoint.OutcomeNPS
	}
	for _, o := range []string{touchpoint.OutcomeNPS, touchpoint.OutcomeCSAT, touchpoint.OutcomeCES, touchpoint.OutcomeChurn} {
		data.Outcomes = append(data.Outcomes, Choice{Value: o, Label: outcomeNames[o], Selected: o == data.Outcome})
	}
	for _, n := range []int{7, 14, 30, 60, 90} {
		data.Lookbacks = append(data.Lookbacks, Choice{Value: formatNum(n), Label: formatNum(n) + " days", Selected: n == data.Lookback})
	}
	v.Data = &data
	req := touchpoint.DriversRequest{Scope: scope, Outcome: data.Outcome, LookbackDays: data.Lookback}
	if data.Outcome == touchpoint.OutcomeChurn {
		// Churn looks at each customer's whole history up to now.
		req.From, req.To = nil, nil
	}
	res, err := d.cfg.Analytics.Drivers(r.Context(), req)
	if data.Error, err = analysisError(err); err != nil || data.Error != "" {
		return err
	}
	data.Result = res
	churn := data.Outcome == touchpoint.OutcomeChurn
	drivers := append([]touchpoint.Driver{}, res.Drivers...)
	sort.SliceStable(drivers, func(i, j int) bool {
		if drivers[i].Significant != drivers[j].Significant {
			return drivers[i].Significant
		}
		return math.Abs(drivers[i].Effect) > math.Abs(drivers[j].Effect)
	})
	data.Charts.Forest = ForestData{Unit: outcomeUnit[data.Outcome], HigherIsBad: churn, Items: []ForestItem{}}
	for i, dr := range drivers {
		row := DriverRow{Driver: dr, Label: factorLabel(dr.Factor, data.Lookback), Good: (dr.Effect > 0) != churn}
		data.Rows = append(data.Rows, row)
		if i < forestSize {
			data.Charts.Forest.Items = append(data.Charts.Forest.Items, ForestItem{Label: shortFactor(dr.Factor), Effect: dr.Effect,
				Low: dr.Low, High: dr.High, Significant: dr.Significant, Prevalence: dr.Prevalence})
		}
		if dr.Significant && len(data.Summary) < 5 {
			data.Summary = append(data.Summary, driverSentence(dr, data.Outcome, data.Lookback))
		}
	}
	return nil
}

// OutcomeName names the chosen outcome.
func (d *DriversData) OutcomeName() string { return outcomeNames[d.Outcome] }

// Unit says what the effects are counted in.
func (d *DriversData) Unit() string { return outcomeUnit[d.Outcome] }

// Churn reports whether the outcome is churn.
func (d *DriversData) Churn() bool { return d.Outcome == touchpoint.OutcomeChurn }

// Significant counts the factors whose interval excludes zero.
func (d *DriversData) Significant() int {
	n := 0
	for _, r := range d.Rows {
		if r.Significant {
			n++
		}
	}
	return n
}

// factorLabel says what a factor means, for a person.
func factorLabel(f string, lookback int) string {
	kind, rest, ok := strings.Cut(f, ":")
	if !ok {
		return titleCase(f)
	}
	switch kind {
	case "touchpoint":
		return fmt.Sprintf("Had “%s” in the %d days before answering", activityLabel(rest), lookback)
	case "right after":
		return fmt.Sprintf("Answered right after “%s”", activityLabel(rest))
	case "channel":
		return fmt.Sprintf("Used the %s channel", strings.ReplaceAll(rest, "_", " "))
	case "trait":
		k, val, _ := strings.Cut(rest, "=")
		return fmt.Sprintf("%s is %s", titleCase(k), val)
	case "topic":
		return fmt.Sprintf("Mentioned %s", strings.ReplaceAll(rest, "_", " "))
	}
	return titleCase(f)
}

// shortFactor is a factor's label for the chart's axis.
func shortFactor(f string) string {
	kind, rest, ok := strings.Cut(f, ":")
	if !ok {
		return f
	}
	switch kind {
	case "touchpoint":
		return activityLabel(rest)
	case "right after":
		return "right after " + activityLabel(rest)
	case "channel":
		return "channel " + rest
	case "trait":
		return strings.Replace(rest, "=", " = ", 1)
	case "topic":
		return "topic " + rest
	}
	return f
}

// driverSentence says one driver's effect in plain words.
func driverSentence(dr touchpoint.Driver, outcome string, lookback int) string {
	label := factorLabel(dr.Factor, lookback)
	if outcome == touchpoint.OutcomeChurn {
		or := math.Exp(dr.Effect)
		lo, hi := math.Exp(dr.Low), math.Exp(dr.High)
		change := fmt.Sprintf("raises the odds of churning by %s", percent(or-1))
		if or < 1 {
			change = fmt.Sprintf("lowers the odds of churning by %s", percent(1-or))
		}
		return fmt.Sprintf("%s: one standard deviation more %s (95%% interval ×%s to ×%s), other things equal.",
			label, change, number(lo, 2), number(hi, 2))
	}
	dir := "higher"
	if dr.Effect < 0 {
		dir = "lower"
	}
	name := outcomeNames[outcome]
	scale := map[string]string{touchpoint.OutcomeNPS: "0–10", touchpoint.OutcomeCSAT: "1–5", touchpoint.OutcomeCES: "1–7"}[outcome]
	return fmt.Sprintf("%s: %s answers %s %s on the %s scale (95%% interval %s to %s), other things equal; true of %s of answers.",
		label, name, number(math.Abs(dr.Effect), 2), dir, scale, number(dr.Low, 2), number(dr.High, 2), percent(dr.Prevalence))
}
