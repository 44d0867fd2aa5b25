package web

import (
	"net/http"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// PathsData is what the paths page shows.
type PathsData struct {
	Scope      ScopeForm
	Activities []Choice
	Event      string
	Direction  string
	Steps      []Choice
	Top        []Choice
	Error      string
	Result     *touchpoint.PathsResponse
	Sequences  []PathRow
	Charts     PathsCharts
}

// PathRow is one common sequence.
type PathRow struct {
	Rank   int
	Steps  []string
	Count  int64
	Share  float64
	Anchor string
	Before bool
}

// PathsCharts is the Sankey chart's data.
type PathsCharts struct {
	Sankey SankeyData `json:"sankey"`
}

// SankeyData holds the Sankey chart's nodes (with a label for each) and
// links.
type SankeyData struct {
	Nodes []SankeyPoint           `json:"nodes"`
	Links []touchpoint.SankeyLink `json:"links"`
	Steps int                     `json:"steps"`
}

// SankeyPoint is a node of the Sankey chart.
type SankeyPoint struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Step  int    `json:"step"`
	Count int64  `json:"count"`
}

func (d *Dashboard) loadPaths(r *http.Request, v *View) error {
	ctx := r.Context()
	q := r.URL.Query()
	form, scope, err := d.analyticsScope(r, d.cfg.Clock.Now(), v.Workspace.ID, 30)
	if err != nil {
		return err
	}
	data := PathsData{Scope: form, Event: q.Get("event"), Direction: q.Get("direction")}
	if data.Direction != touchpoint.DirectionBefore {
		data.Direction = touchpoint.DirectionAfter
	}
	steps := atoiOr(q.Get("steps"), 4)
	top := atoiOr(q.Get("top"), 10)
	for _, n := range []int{2, 3, 4, 5, 6, 8, 10} {
		data.Steps = append(data.Steps, Choice{Value: formatNum(n), Label: formatNum(n) + " steps", Selected: n == steps})
	}
	for _, n := range []int{10, 20, 50, 100} {
		data.Top = append(data.Top, Choice{Value: formatNum(n), Label: "top " + formatNum(n), Selected: n == top})
	}
	if data.Activities, err = d.activityChoices(ctx, v.Workspace.ID, data.Event); err != nil {
		return err
	}
	v.Data = &data
	if data.Direction == touchpoint.DirectionBefore && data.Event == "" {
		data.Error = "Pick the activity to look before."
		return nil
	}
	res, err := d.cfg.Analytics.Paths(ctx, touchpoint.PathsRequest{Scope: scope, Event: data.Event, Direction: data.Direction,
		Steps: steps, Top: top})
	if data.Error, err = analysisError(err); err != nil || data.Error != "" {
		return err
	}
	data.Result = res
	anchor := "their first activity"
	if data.Event != "" {
		anchor = activityLabel(data.Event)
	}
	for i, s := range res.Sequences {
		row := PathRow{Rank: i + 1, Count: s.Count, Anchor: anchor, Before: data.Direction == touchpoint.DirectionBefore}
		for _, e := range s.Events {
			row.Steps = append(row.Steps, activityLabel(e))
		}
		if res.Profiles > 0 {
			row.Share = float64(s.Count) / float64(res.Profiles)
		}
		data.Sequences = append(data.Sequences, row)
	}
	data.Charts.Sankey = SankeyData{Links: res.Links, Nodes: []SankeyPoint{}, Steps: steps}
	for _, n := range res.Nodes {
		label := activityLabel(n.Event)
		if n.Step == 0 && data.Event == "" {
			label = "First: " + label
		}
		data.Charts.Sankey.Nodes = append(data.Charts.Sankey.Nodes, SankeyPoint{ID: n.ID, Label: label, Step: n.Step, Count: n.Count})
	}
	return nil
}

// Path shows a sequence with the anchor in its place.
func (p PathRow) Path() string {
	all := append([]string{}, p.Steps...)
	if p.Before {
		all = append(all, p.Anchor)
	} else {
		all = append([]string{p.Anchor}, all...)
	}
	return strings.Join(all, " → ")
}
