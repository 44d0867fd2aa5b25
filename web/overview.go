package web

import (
	"net/http"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

func (d *Dashboard) overviewPages() []*Page {
	return []*Page{{
		Section: "Insights", Title: "Overview", Path: "/overview", Nav: true, Icon: "chart",
		Permission: touchpoint.PermOverviewRead, Template: "overview.html", Scripts: []string{"build/echarts.js"},
		Load: d.loadOverview,
	}}
}

// OverviewData is what the overview page shows.
type OverviewData struct {
	Range    DateRange
	Overview *touchpoint.Overview
	// Charts is the data of every chart, embedded in the page as JSON.
	Charts OverviewCharts
	// CX holds NPS, CSAT and CES over the period, for roles that may read
	// feedback and when there is any.
	CX []Figure
}

// OverviewCharts holds chart-ready series: one value per day of the period.
type OverviewCharts struct {
	Days      []string           `json:"days"`
	Channels  map[string][]int64 `json:"channels"`
	Active    []int64            `json:"active"`
	New       []int64            `json:"new"`
	ByChannel []Slice            `json:"by_channel"`
	BySource  []Slice            `json:"by_source"`
	TopEvents []Slice            `json:"top_events"`
}

// Slice is one named value of a breakdown chart.
type Slice struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
}

func (d *Dashboard) loadOverview(r *http.Request, v *View) error {
	dr, f, err := dateRange(r, d.cfg.Clock.Now())
	if err != nil {
		return err
	}
	f.Workspace = v.Workspace.ID
	o, err := d.cfg.Overview.Overview(r.Context(), f)
	if err != nil {
		return err
	}
	names, err := d.sourceNames(r, v.Workspace.ID)
	if err != nil {
		return err
	}
	data := OverviewData{Range: dr, Overview: o, Charts: overviewCharts(o, names)}
	if v.Actor.Can(touchpoint.PermFeedbackRead) && d.cfg.Metrics != nil {
		cx, err := d.headline(r.Context(), v.Workspace.ID, f.From, f.To)
		if err != nil {
			return err
		}
		if anyResponses(cx) {
			data.CX = cx
		}
	}
	v.Data = data
	return nil
}

// sourceNames maps source ids to names, revoked sources included.
func (d *Dashboard) sourceNames(r *http.Request, ws string) (map[string]string, error) {
	sources, err := d.cfg.Sources.FindSources(r.Context(), touchpoint.SourceFilter{Workspace: &ws, IncludeRevoked: true})
	if err != nil {
		return nil, err
	}
	names := map[string]string{touchpoint.SystemSourceID: "Touchpoint"}
	for _, s := range sources {
		names[s.ID] = s.Name
	}
	// Tickets and reviews arrive through inbound webhooks and CSV
	// imports of feedback, which are sources of their own.
	if d.cfg.Feedback != nil {
		hooks, err := d.cfg.Feedback.FindFeedbackHooks(r.Context(), ws)
		if err != nil {
			return nil, err
		}
		for _, h := range hooks {
			names[h.ID] = h.Name + " (webhook)"
		}
		names["import"] = "Feedback CSV import" // feedback.ImportSource
	}
	return names, nil
}

func overviewCharts(o *touchpoint.Overview, sourceNames map[string]string) OverviewCharts {
	c := OverviewCharts{Channels: map[string][]int64{}, ByChannel: []Slice{}, BySource: []Slice{}, TopEvents: []Slice{}}
	index := map[time.Time]int{}
	for day := o.From.UTC().Truncate(24 * time.Hour); day.Before(o.To); day = day.Add(24 * time.Hour) {
		index[day] = len(c.Days)
		c.Days = append(c.Days, day.Format(time.DateOnly))
	}
	n := len(c.Days)
	c.Active, c.New = make([]int64, n), make([]int64, n)
	for _, e := range o.EventsByDay {
		i, ok := index[e.Day.UTC()]
		if !ok {
			continue
		}
		if c.Channels[e.Channel] == nil {
			c.Channels[e.Channel] = make([]int64, n)
		}
		c.Channels[e.Channel][i] += e.Count
	}
	for _, e := range o.CustomersByDay {
		if i, ok := index[e.Day.UTC()]; ok {
			c.Active[i], c.New[i] = e.Active, e.New
		}
	}
	for _, k := range o.ByChannel {
		c.ByChannel = append(c.ByChannel, Slice{k.Key, k.Count})
	}
	for _, k := range o.BySource {
		name := sourceNames[k.Key]
		if name == "" {
			name = k.Key
		}
		c.BySource = append(c.BySource, Slice{name, k.Count})
	}
	for _, k := range o.TopEvents {
		c.TopEvents = append(c.TopEvents, Slice{k.Key, k.Count})
	}
	return c
}
