package web

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// Helpers of the segment and persona templates. They join the shared ones
// here rather than in components.go, beside the pages that use them.
func init() {
	for _, k := range []string{"sharePct", "share", "score", "bar", "abs", "deref64", "personaValue"} {
		if _, ok := funcs[k]; ok {
			panic("web: template helper " + k + " defined twice")
		}
	}
	funcs["sharePct"] = func(f float64) string { return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) + "%" }
	funcs["share"] = func(n, total int64) string {
		if total == 0 {
			return "0%"
		}
		return strconv.FormatFloat(math.Round(float64(n)*1000/float64(total))/10, 'f', -1, 64) + "%"
	}
	funcs["score"] = func(f *float64) string {
		if f == nil {
			return "–"
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	funcs["bar"] = func(z float64) int { return int(math.Min(100, math.Abs(z)*40)) }
	funcs["abs"] = math.Abs
	funcs["deref64"] = func(f *float64) float64 { return *f }
	funcs["personaValue"] = func(unit string, f float64) string {
		switch unit {
		case "share":
			return strconv.FormatFloat(math.Round(f*100), 'f', -1, 64) + "%"
		case "money":
			return formatMoney(f)
		}
		return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
	}
}

// segmentPages are the segment list, builder and detail pages, and the
// personas page. They are there when the server runs segments.
func (d *Dashboard) segmentPages() []*Page {
	if d.cfg.Segments == nil {
		return nil
	}
	styles := []string{"segments.css"}
	return []*Page{
		{Section: "Customers", Title: "Segments", Path: "/segments", Nav: true, Icon: "segments",
			Permission: touchpoint.PermAnalyticsRead, Template: "segments.html", Styles: styles, Load: d.loadSegments},
		{Section: "Customers", Title: "New segment", Path: "/segments/new",
			Permission: touchpoint.PermSegmentsWrite, Template: "segment_builder.html", Styles: styles, Scripts: []string{"segments.js"}, Load: d.loadSegmentBuilder},
		{Section: "Customers", Title: "Segment", Path: "/segments/{id}",
			Permission: touchpoint.PermAnalyticsRead, Template: "segment.html", Styles: styles, Scripts: []string{"build/echarts.js", "segments.js"}, Load: d.loadSegment},
		{Section: "Customers", Title: "Edit segment", Path: "/segments/{id}/edit",
			Permission: touchpoint.PermSegmentsWrite, Template: "segment_builder.html", Styles: styles, Scripts: []string{"segments.js"}, Load: d.loadSegmentBuilder},
		{Section: "Customers", Title: "Personas", Path: "/personas", Nav: true, Icon: "personas",
			Permission: touchpoint.PermAnalyticsRead, Template: "personas.html", Styles: styles, Scripts: []string{"segments.js"}, Load: d.loadPersonas},
	}
}

// SegmentsData is what the segment list shows.
type SegmentsData struct {
	Segments []SegmentRow
}

// SegmentRow is one segment in a list, its definition in words.
type SegmentRow struct {
	*touchpoint.Segment
	Summary   string
	Computing bool
}

func (d *Dashboard) segmentRows(r *http.Request, ws string) ([]SegmentRow, map[string]string, error) {
	list, err := d.cfg.Segments.FindSegments(r.Context(), touchpoint.SegmentFilter{Workspace: ws})
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, s := range list {
		names[s.ID] = s.Name
	}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	rows := make([]SegmentRow, len(list))
	for i, s := range list {
		rows[i] = SegmentRow{Segment: s, Summary: s.Condition.Describe(name), Computing: s.EvaluatedVersion < s.Version}
	}
	return rows, names, nil
}

func (d *Dashboard) loadSegments(r *http.Request, v *View) error {
	rows, _, err := d.segmentRows(r, v.Workspace.ID)
	if err != nil {
		return err
	}
	v.Data = SegmentsData{Segments: rows}
	return nil
}

// SegmentData is what a segment's page shows.
type SegmentData struct {
	SegmentRow
	JSON    string
	Members []touchpoint.SegmentMember
	// More is set when the segment has more members than the page lists.
	More         bool
	History      []touchpoint.SegmentChange
	Destinations []*touchpoint.Destination
	// Chart is the size over time, for segments.js.
	Chart     any
	Entered7  int64
	Exited7   int64
	UsedBy    []SegmentRow
	CanPeople bool
	// Names are how the members listed are called, for the history.
	Names map[string]string
}

func (d *Dashboard) loadSegment(r *http.Request, v *View) error {
	ws, id := v.Workspace.ID, chi.URLParam(r, "id")
	seg, err := d.cfg.Segments.FindSegment(r.Context(), ws, id)
	if err != nil {
		return err
	}
	rows, names, err := d.segmentRows(r, ws)
	if err != nil {
		return err
	}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	data := SegmentData{SegmentRow: SegmentRow{Segment: seg, Summary: seg.Condition.Describe(name), Computing: seg.EvaluatedVersion < seg.Version}}
	for _, o := range rows {
		for _, ref := range o.Condition.SegmentRefs() {
			if ref == id {
				data.UsedBy = append(data.UsedBy, o)
			}
		}
	}
	b, _ := json.MarshalIndent(seg.Condition, "", "  ")
	data.JSON = string(b)
	now := d.cfg.Clock.Now().UTC()
	sizes, err := d.cfg.Segments.SegmentSizes(r.Context(), ws, id, now.Truncate(24*time.Hour).Add(-89*24*time.Hour))
	if err != nil {
		return err
	}
	type point struct {
		Day     string `json:"day"`
		Size    int64  `json:"size"`
		Entered int64  `json:"entered"`
		Exited  int64  `json:"exited"`
	}
	points := []point{}
	for _, s := range sizes {
		points = append(points, point{s.Day.Format(time.DateOnly), s.Size, s.Entered, s.Exited})
		if now.Sub(s.Day) < 7*24*time.Hour {
			data.Entered7 += s.Entered
			data.Exited7 += s.Exited
		}
	}
	data.Chart = map[string]any{"sizes": points}
	data.CanPeople = v.Can(string(touchpoint.PermProfilesRead))
	if data.CanPeople {
		const shown = 500
		ms, err := d.cfg.Segments.SegmentMembersPage(r.Context(), touchpoint.SegmentMemberFilter{Workspace: ws, SegmentID: id, Limit: shown})
		if err != nil {
			return err
		}
		data.Members, data.More = ms, len(ms) == shown
		data.Names = map[string]string{}
		for _, m := range ms {
			for _, n := range []string{m.Name, m.Email, m.UserID} {
				if n != "" {
					data.Names[m.ProfileID] = n
					break
				}
			}
		}
		if data.History, err = d.cfg.Segments.SegmentHistory(r.Context(), touchpoint.SegmentHistoryFilter{Workspace: ws, SegmentID: id, Limit: 100}); err != nil {
			return err
		}
	}
	if v.Can(string(touchpoint.PermSegmentsWrite)) && d.cfg.Destinations != nil {
		if data.Destinations, err = d.cfg.Destinations.Destinations(r.Context(), ws, id); err != nil {
			return err
		}
	}
	v.Title = seg.Name
	v.Data = data
	return nil
}

// SegmentBuilderData is what the segment builder starts from.
type SegmentBuilderData struct {
	Segment *touchpoint.Segment
	// Setup is the builder's start: the segment (if editing), suggestions
	// and the other segments a condition may name.
	Setup any
}

func (d *Dashboard) loadSegmentBuilder(r *http.Request, v *View) error {
	ws := v.Workspace.ID
	var seg *touchpoint.Segment
	if id := chi.URLParam(r, "id"); id != "" {
		var err error
		if seg, err = d.cfg.Segments.FindSegment(r.Context(), ws, id); err != nil {
			return err
		}
		v.Title = "Edit " + seg.Name
	}
	hints := &touchpoint.SegmentHints{}
	if d.cfg.SegmentHints != nil {
		var err error
		if hints, err = d.cfg.SegmentHints.SegmentHints(r.Context(), ws); err != nil {
			return err
		}
	}
	list, err := d.cfg.Segments.FindSegments(r.Context(), touchpoint.SegmentFilter{Workspace: ws})
	if err != nil {
		return err
	}
	type ref struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	others := []ref{}
	for _, s := range list {
		if seg == nil || s.ID != seg.ID {
			others = append(others, ref{s.ID, s.Name})
		}
	}
	v.Data = SegmentBuilderData{Segment: seg, Setup: map[string]any{"segment": seg, "hints": hints, "segments": others}}
	return nil
}

// PersonasData is what the personas page shows.
type PersonasData struct {
	Personas []*touchpoint.Persona
	Run      *touchpoint.PersonaRun
}

func (d *Dashboard) loadPersonas(r *http.Request, v *View) error {
	if d.cfg.Personas == nil {
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "personas are not available on this server")
	}
	list, run, err := d.cfg.Personas.Personas(r.Context(), v.Workspace.ID)
	if err != nil {
		return err
	}
	v.Data = PersonasData{Personas: list, Run: run}
	return nil
}
