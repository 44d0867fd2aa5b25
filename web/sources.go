package web

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

func (d *Dashboard) sourcePages() []*Page {
	return []*Page{
		{Section: "Data", Title: "Sources", Path: "/sources", Nav: true, Icon: "plug",
			Permission: touchpoint.PermSourcesManage, Template: "sources.html", Load: d.loadSources},
		{Section: "Data", Title: "Source", Path: "/sources/{id}", Icon: "plug",
			Permission: touchpoint.PermSourcesManage, Template: "source.html", Load: d.loadSource},
	}
}

// SourcesData is what the sources page shows.
type SourcesData struct {
	Sources     []SourceRow
	Types       []SourceType
	ShowRevoked bool
}

// SourceRow is a source with its recent volume.
type SourceRow struct {
	*touchpoint.Source
	Events30d int64
}

// SourceType is a choice of the new-source form.
type SourceType struct{ Value, Label string }

var sourceTypes = []SourceType{
	{"web", "Website (JavaScript snippet)"}, {"server", "Server (any Segment library or HTTP)"},
	{"ios", "iOS app"}, {"android", "Android app"}, {"csv", "CSV or NDJSON files"}, {"webhook", "Webhook"},
	{"email", "Email platform"}, {"sms", "SMS platform"}, {"pos", "Store till (point of sale)"},
	{"callcenter", "Call centre"}, {"support", "Support desk"}, {"survey", "Survey tool"}, {"review", "Reviews"},
}

func (d *Dashboard) loadSources(r *http.Request, v *View) error {
	ws := v.Workspace.ID
	data := SourcesData{Types: sourceTypes, ShowRevoked: r.URL.Query().Get("revoked") != ""}
	sources, err := d.cfg.Sources.FindSources(r.Context(), touchpoint.SourceFilter{Workspace: &ws, IncludeRevoked: data.ShowRevoked})
	if err != nil {
		return err
	}
	now := d.cfg.Clock.Now()
	counts := map[string]int64{}
	if len(sources) > 0 {
		by, err := d.cfg.Overview.EventsBySource(r.Context(), touchpoint.OverviewFilter{Workspace: ws, From: now.Add(-30 * 24 * time.Hour), To: now.Add(time.Minute)})
		if err != nil {
			return err
		}
		for _, k := range by {
			counts[k.Key] = k.Count
		}
	}
	for _, s := range sources {
		data.Sources = append(data.Sources, SourceRow{Source: s, Events30d: counts[s.ID]})
	}
	v.Data = data
	return nil
}

// SourceData is what a source's page shows: how to send to it.
type SourceData struct {
	Source   *touchpoint.Source
	Snippets Snippets
	Created  bool
	// Tab is the snippet shown first: web, server or csv.
	Tab string
}

func (d *Dashboard) loadSource(r *http.Request, v *View) error {
	ws, id := v.Workspace.ID, chi.URLParam(r, "id")
	sources, err := d.cfg.Sources.FindSources(r.Context(), touchpoint.SourceFilter{Workspace: &ws, ID: &id, IncludeRevoked: true})
	if err != nil {
		return err
	}
	if len(sources) == 0 {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "There is no source %q in this workspace.", id)
	}
	s := sources[0]
	v.Title = s.Name
	tab := "server"
	switch s.Type {
	case "web":
		tab = "web"
	case "csv", "import":
		tab = "csv"
	}
	v.Data = SourceData{Source: s, Snippets: snippets(v.Origin, s), Created: r.URL.Query().Get("created") != "", Tab: tab}
	return nil
}
