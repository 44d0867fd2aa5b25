package web

import (
	"net/http"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

func (d *Dashboard) streamPages() []*Page {
	return []*Page{{
		Section: "Data", Title: "Event stream", Path: "/events", Nav: true, Icon: "stream",
		Permission: touchpoint.PermEventsRead, Template: "events.html", Load: d.loadEvents,
	}}
}

// EventsData is what the event stream page shows below the live stream:
// stored events, filtered.
type EventsData struct {
	Type, Event, UserID string
	Types               []string
	Events              []TimelineEvent
	SourceNames         map[string]string
}

func (d *Dashboard) loadEvents(r *http.Request, v *View) error {
	q := r.URL.Query()
	data := EventsData{Type: q.Get("type"), Event: strings.TrimSpace(q.Get("event")), UserID: strings.TrimSpace(q.Get("user_id")),
		Types: []string{"track", "page", "screen", "identify", "group", "alias"}}
	f := touchpoint.EventFilter{Workspace: v.Workspace.ID, Limit: 50}
	if data.Type != "" {
		t := touchpoint.EventType(data.Type)
		if !t.Valid() {
			return touchpoint.FieldError("type", "unknown call type %q", data.Type)
		}
		f.Type = &t
	}
	if data.Event != "" {
		f.Event = &data.Event
	}
	if data.UserID != "" {
		f.UserID = &data.UserID
	}
	events, err := d.cfg.Events.FindEvents(r.Context(), f)
	if err != nil {
		return err
	}
	for _, ev := range events {
		data.Events = append(data.Events, timelineEvent(ev))
	}
	if data.SourceNames, err = d.sourceNames(r, v.Workspace.ID); err != nil {
		return err
	}
	v.Data = data
	return nil
}
