package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

// The Analytics section: funnels, paths, retention, the journey map, key
// drivers and predictions. Each page is a form whose fields live in the
// query string (so a view can be bookmarked and shared), run on the server
// through the analytics service when the page loads, and drawn from the
// answer: charts from the page's JSON, tables in the template. A request
// the analysis refuses (EINVALID) is shown beside the form, in the API's
// words, instead of an error page, so the form stays as it was typed.

func (d *Dashboard) analyticsPages() []*Page {
	charts := []string{"build/echarts.js", "analytics.js"}
	page := func(title, path, icon, tmpl string, load func(*http.Request, *View) error) *Page {
		return &Page{Section: "Analytics", Title: title, Path: path, Nav: true, Icon: icon,
			Permission: touchpoint.PermAnalyticsRead, Template: tmpl, Scripts: charts, Load: load}
	}
	return []*Page{
		page("Journey map", "/analytics/journey-map", "map", "journeymap.html", d.loadJourneyMap),
		page("Funnels", "/analytics/funnels", "funnel", "funnel.html", d.loadFunnel),
		page("Paths", "/analytics/paths", "paths", "paths.html", d.loadPaths),
		page("Retention", "/analytics/retention", "retention", "retention.html", d.loadRetention),
		page("Key drivers", "/analytics/drivers", "drivers", "drivers.html", d.loadDrivers),
		page("Predictions", "/analytics/predictions", "predict", "predictions.html", d.loadPredictions),
	}
}

// knownChannels are the channels the scope filter offers.
var knownChannels = []string{touchpoint.ChannelWeb, touchpoint.ChannelApp, touchpoint.ChannelEmail, touchpoint.ChannelSMS,
	touchpoint.ChannelStore, touchpoint.ChannelCallCenter, touchpoint.ChannelSupport, touchpoint.ChannelSurvey,
	touchpoint.ChannelReview, touchpoint.ChannelServer, touchpoint.ChannelImport}

// ScopeForm is the part of every analysis form that says which events and
// customers count: a period, channels, and customers with a trait.
type ScopeForm struct {
	Range    DateRange
	Channels []Choice
	// Trait and TraitValue keep customers whose trait equals the value.
	Trait, TraitValue string
	// Members lists the segments and discovered personas to narrow to.
	Members []Choice
}

// Choice is one option of a select or a set of checkboxes.
type Choice struct {
	Value, Label string
	Selected     bool
}

// ChannelsLabel sums up the channel choice for the filter's summary.
func (s ScopeForm) ChannelsLabel() string {
	var on []string
	for _, c := range s.Channels {
		if c.Selected {
			on = append(on, c.Label)
		}
	}
	switch len(on) {
	case 0:
		return "All channels"
	case 1, 2:
		return strings.Join(on, ", ")
	}
	return fmt.Sprintf("%d channels", len(on))
}

// analyticsScope reads the scope fields of an analysis form (?from=&to=
// dates, ?ch= channels, ?trait=&trait_value=) with a default period of the
// last defaultDays days.
func (d *Dashboard) analyticsScope(r *http.Request, now time.Time, workspace string, defaultDays int) (ScopeForm, touchpoint.Scope, error) {
	q := r.URL.Query()
	req := r
	if q.Get("from") == "" && q.Get("to") == "" {
		// The default period, as if its dates had been picked.
		end := now.UTC().Truncate(24 * time.Hour)
		q2 := cloneValues(q)
		q2.Set("from", end.AddDate(0, 0, 1-defaultDays).Format(time.DateOnly))
		q2.Set("to", end.Format(time.DateOnly))
		req = r.Clone(r.Context())
		req.URL.RawQuery = q2.Encode()
	}
	f, err := httpapi.OverviewPeriod(req, now)
	if err != nil {
		return ScopeForm{}, touchpoint.Scope{}, err
	}
	form := ScopeForm{Range: DateRange{From: f.From, To: f.To, Custom: true}}
	end := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	for _, days := range []int{7, 30, 90, 365} {
		from := end.AddDate(0, 0, -days)
		pq := cloneValues(q)
		pq.Set("from", from.Format(time.DateOnly))
		pq.Set("to", end.Add(-time.Hour).Format(time.DateOnly))
		active := f.From.Equal(from) && f.To.Equal(end)
		if active {
			form.Range.Custom = false
		}
		label := fmt.Sprintf("%d days", days)
		if days == 365 {
			label = "12 months"
		}
		form.Range.Presets = append(form.Range.Presets, Preset{Label: label, Href: r.URL.Path + "?" + pq.Encode(), Active: active})
	}
	from, to := f.From, f.To
	scope := touchpoint.Scope{Workspace: workspace, From: &from, To: &to}
	chosen := q["ch"]
	for _, c := range knownChannels {
		on := slices.Contains(chosen, c)
		form.Channels = append(form.Channels, Choice{Value: c, Label: titleCase(c), Selected: on})
		if on {
			scope.Channels = append(scope.Channels, c)
		}
	}
	for _, c := range chosen {
		if c != "" && !slices.Contains(knownChannels, c) {
			form.Channels = append(form.Channels, Choice{Value: c, Label: c, Selected: true})
			scope.Channels = append(scope.Channels, c)
		}
	}
	form.Trait, form.TraitValue = strings.TrimSpace(q.Get("trait")), strings.TrimSpace(q.Get("trait_value"))
	if form.Trait != "" {
		field := "trait." + strings.TrimPrefix(form.Trait, "trait.")
		cond := touchpoint.Condition{Field: field, Op: "eq", Value: form.TraitValue}
		if form.TraitValue == "" {
			cond = touchpoint.Condition{Field: field, Op: "exists"}
		}
		scope.Segment = append(scope.Segment, cond)
	}
	scope.Members = strings.TrimSpace(q.Get("members"))
	members, err := d.memberChoices(r.Context(), workspace, scope.Members)
	if err != nil {
		return form, scope, err
	}
	form.Members = members
	return form, scope, nil
}

// memberChoices lists the workspace's segments and discovered personas,
// for narrowing an analysis to their customers; none when the server runs
// without segments.
func (d *Dashboard) memberChoices(ctx context.Context, workspace, chosen string) ([]Choice, error) {
	if d.cfg.Segments == nil {
		return nil, nil
	}
	segs, err := d.cfg.Segments.FindSegments(ctx, touchpoint.SegmentFilter{Workspace: workspace})
	if err != nil {
		return nil, err
	}
	var out []Choice
	for _, s := range segs {
		label := "Segment: " + s.Name
		if s.Persona {
			label = "Persona: " + s.Name
		}
		out = append(out, Choice{Value: s.ID, Label: label, Selected: s.ID == chosen})
	}
	if d.cfg.Personas != nil {
		ps, err := d.cfg.Personas.DiscoveredPersonas(ctx, workspace)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, Choice{Value: p.ID, Label: "Persona: " + p.Name, Selected: p.ID == chosen})
		}
	}
	return out, nil
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// activityChoices lists the workspace's activities for the pickers, most
// common first, with the one already chosen kept even if it is rare.
func (d *Dashboard) activityChoices(ctx context.Context, workspace string, chosen ...string) ([]Choice, error) {
	list, err := d.cfg.Activities.Activities(ctx, touchpoint.ActivityFilter{Scope: touchpoint.Scope{Workspace: workspace}, Limit: 300})
	if err != nil {
		return nil, err
	}
	var out []Choice
	seen := map[string]bool{}
	for _, a := range list {
		seen[a.Activity] = true
		out = append(out, Choice{Value: a.Activity, Label: fmt.Sprintf("%s · %s customers", activityLabel(a.Activity), formatNum(a.Profiles))})
	}
	for _, c := range chosen {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, Choice{Value: c, Label: activityLabel(c)})
		}
	}
	return out, nil
}

// activityLabel names an activity for a person: "page:Pricing" reads
// "Pricing (page)".
func activityLabel(a string) string {
	for _, kind := range []string{"page", "screen"} {
		if name, ok := strings.CutPrefix(a, kind+":"); ok {
			if name == "" {
				return "any " + kind
			}
			return name + " (" + kind + ")"
		}
	}
	return a
}

// analysisError turns an analysis's refusal into a message for the page;
// other errors stop the page.
func analysisError(err error) (string, error) {
	if err == nil {
		return "", nil
	}
	switch touchpoint.ErrorCode(err) {
	case touchpoint.EINVALID, touchpoint.ENOTFOUND:
		return touchpoint.ErrorMessage(err), nil
	}
	return "", err
}

// CustomerLink names a customer in an analysis's lists, linking to their
// profile for those who may read profiles.
type CustomerLink struct {
	ID, Name string
	// Link is false for roles that may not read profiles: they see the
	// pseudonymous id only.
	Link bool
}

// maxNamed bounds how many customers one page looks up by name.
const maxNamed = 400

// customerLinks names customers by profile id (or kind:value for events
// identity resolution has not reached). Roles without profiles:read get the
// ids only; beyond maxNamed, ids are shown as they are.
func (d *Dashboard) customerLinks(ctx context.Context, v *View, ids []string) map[string]CustomerLink {
	out := make(map[string]CustomerLink, len(ids))
	canRead := v.Actor.Can(touchpoint.PermProfilesRead)
	looked := 0
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		c := CustomerLink{ID: id, Name: id, Link: canRead}
		if canRead && looked < maxNamed && d.cfg.Profiles != nil {
			looked++
			if ref, err := profileRef(id); err == nil {
				if p, err := d.cfg.Profiles.FindProfile(ctx, v.Workspace.ID, ref); err == nil {
					c.Name = profileRow(p).DisplayName()
				}
			}
		}
		out[id] = c
	}
	return out
}

// duration reads a number of seconds for a person: 45 s, 12 min, 3.5 h, 2 days.
func duration(sec float64) string {
	switch {
	case math.IsNaN(sec) || sec < 0:
		return "–"
	case sec < 60:
		return fmt.Sprintf("%.0f s", sec)
	case sec < 3600:
		return trimZero(sec/60) + " min"
	case sec < 48*3600:
		return trimZero(sec/3600) + " h"
	}
	return trimZero(sec/86400) + " days"
}

func trimZero(f float64) string {
	if f >= 10 {
		return strconv.FormatFloat(math.Round(f), 'f', 0, 64)
	}
	return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0")
}

// percent shows a share (0–1) as a percentage with a sensible precision.
func percent(f float64) string {
	p := f * 100
	switch {
	case math.IsNaN(p):
		return "–"
	case p == 0 || p >= 10 || p == math.Trunc(p):
		return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
	case p < 0.1:
		return "<0.1%"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// secondsPtr shows an optional duration.
func secondsPtr(s *float64) string {
	if s == nil {
		return "–"
	}
	return duration(*s)
}

// heat buckets a share (0–1) into one of eleven colour classes, so that a
// table can be a heat map without inline styles (the CSP forbids them).
func heat(f float64) int {
	if math.IsNaN(f) || f <= 0 {
		return 0
	}
	return min(10, int(math.Ceil(f*10)))
}

// number shows a float with a fixed number of decimals and thousands
// separators.
func number(f float64, decimals int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	neg := f < 0
	s := strconv.FormatFloat(math.Abs(f), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := formatNum(n)
	if frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.,") != "" {
		out = "−" + out
	}
	return out
}

// atoiOr reads a whole number, or returns def.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}

func parseFloat(s string) (float64, error) {
	return strconv.ParseFloat(strings.TrimSpace(s), 64)
}
