package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

func (d *Dashboard) profilePages() []*Page {
	return []*Page{
		{Section: "Customers", Title: "Profiles", Path: "/profiles", Nav: true, Icon: "users",
			Permission: touchpoint.PermProfilesRead, Template: "profiles.html", Load: d.loadProfiles},
		{Section: "Customers", Title: "Profile", Path: "/profiles/{id}", Icon: "users",
			Permission: touchpoint.PermProfilesRead, Template: "profile.html", Load: d.loadProfile},
	}
}

// ProfilesData is what the profiles explorer shows: search results, or the
// most recently active customers when nothing was searched for.
type ProfilesData struct {
	Query    string
	Profiles []ProfileRow
	Recent   bool
}

// ProfileRow is one customer in a list.
type ProfileRow struct {
	*touchpoint.Profile
	Name, Email, UserID, Phone string
	Channels                   []string
}

func profileRow(p *touchpoint.Profile) ProfileRow {
	row := ProfileRow{Profile: p}
	trait := func(keys ...string) string {
		for _, k := range keys {
			if raw, ok := p.Traits[k]; ok {
				if v := jsonValue(raw); v != "" && v != "null" {
					return v
				}
			}
		}
		return ""
	}
	row.Name = trait("name")
	if row.Name == "" {
		row.Name = strings.TrimSpace(trait("firstName", "first_name") + " " + trait("lastName", "last_name"))
	}
	for _, id := range p.Identifiers {
		switch id.Kind {
		case touchpoint.KindEmail:
			if row.Email == "" {
				row.Email = id.Value
			}
		case touchpoint.KindUserID:
			if row.UserID == "" {
				row.UserID = id.Value
			}
		case touchpoint.KindPhone:
			if row.Phone == "" {
				row.Phone = id.Value
			}
		}
	}
	if row.Email == "" {
		row.Email = trait("email")
	}
	row.Channels = sortedKeys(p.Computed.EventsByChannel)
	return row
}

// DisplayName is how the customer is named in lists and headings.
func (p ProfileRow) DisplayName() string {
	for _, s := range []string{p.Name, p.Email, p.UserID, p.Phone} {
		if s != "" {
			return s
		}
	}
	return "Anonymous visitor"
}

func (d *Dashboard) loadProfiles(r *http.Request, v *View) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	data := ProfilesData{Query: q, Profiles: []ProfileRow{}}
	ws := v.Workspace.ID
	if q == "" {
		data.Recent = true
		ids, err := d.cfg.Overview.ActiveProfiles(r.Context(), ws, 25)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, id := range ids {
			ref, err := profileRef(id)
			if err != nil {
				continue
			}
			p, err := d.cfg.Profiles.FindProfile(r.Context(), ws, ref)
			if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
				// Events whose identity is not resolved yet.
				continue
			} else if err != nil {
				return err
			}
			if !seen[p.ID] {
				seen[p.ID] = true
				data.Profiles = append(data.Profiles, profileRow(p))
			}
		}
	} else {
		ps, err := d.cfg.Profiles.SearchProfiles(r.Context(), ws, q, 50)
		if err != nil {
			return err
		}
		for _, p := range ps {
			data.Profiles = append(data.Profiles, profileRow(p))
		}
	}
	v.Data = data
	return nil
}

// profileRef reads a profile reference: a profile id, or kind:value.
func profileRef(s string) (touchpoint.Identifier, error) {
	if !strings.Contains(s, ":") {
		return touchpoint.Identifier{Kind: "profile", Value: s}, nil
	}
	id, err := touchpoint.ParseIdentifier(s)
	if err != nil {
		return id, err
	}
	if n, err := touchpoint.DefaultIdentityRules().Normalize(id); err == nil && id.Kind != "profile" {
		id = n
	}
	return id, nil
}

// ProfileData is what a profile page shows.
type ProfileData struct {
	ProfileRow
	Traits   []KeyValue
	Accounts []AccountRow
	Merges   []*touchpoint.Merge
	// Consent is what the customer agreed to be sent on each channel;
	// Journeys are the journeys they are in or were in.
	Consent  []ConsentRow
	Journeys []EnrolmentRow
	// Timeline holds the most recent events, newest first.
	Timeline  []TimelineEvent
	Truncated bool
	ByChannel []Slice
	TopEvents []Slice
	// Feedback is the customer's latest feedback, for roles that may read
	// feedback; FeedbackLink is the inbox filtered to them.
	Feedback     []FeedbackRow
	FeedbackLink string
	// Scores are the churn and lifetime-value predictions of the last
	// refresh, when one has scored this customer.
	Scores *touchpoint.ProfileScores
}

// KeyValue is a trait shown as text.
type KeyValue struct{ Key, Value string }

// AccountRow is an account with its name.
type AccountRow struct {
	ID, Name string
	Traits   []KeyValue
}

// TimelineEvent is one event of a customer's timeline.
type TimelineEvent struct {
	*touchpoint.Event
	Title   string
	Summary string
}

const timelineShown = 200

func (d *Dashboard) loadProfile(r *http.Request, v *View) error {
	ref, err := profileRef(chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	ws := v.Workspace.ID
	p, err := d.cfg.Profiles.FindProfile(r.Context(), ws, ref)
	if err != nil {
		return err
	}
	data := ProfileData{ProfileRow: profileRow(p)}
	v.Title = data.DisplayName()
	for _, k := range sortedKeys(p.Traits) {
		data.Traits = append(data.Traits, KeyValue{k, jsonValue(p.Traits[k])})
	}
	for _, a := range p.Accounts {
		row := AccountRow{ID: a.ID, Name: a.ID}
		if n, ok := a.Traits["name"]; ok {
			row.Name = jsonValue(n)
		}
		for _, k := range sortedKeys(a.Traits) {
			row.Traits = append(row.Traits, KeyValue{k, jsonValue(a.Traits[k])})
		}
		data.Accounts = append(data.Accounts, row)
	}
	if data.Merges, err = d.cfg.Profiles.Merges(r.Context(), ws, p.ID); err != nil {
		return err
	}
	if d.cfg.Analytics != nil {
		sc, err := d.cfg.Analytics.ProfileScores(r.Context(), ws, p.ID)
		if err == nil {
			data.Scores = sc
		} else if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			return err
		}
	}
	f := touchpoint.TimelineFilter{Workspace: ws, Limit: touchpoint.MaxEventLimit}
	for _, id := range p.Identifiers {
		switch id.Kind {
		case touchpoint.KindUserID:
			f.UserIDs = append(f.UserIDs, id.Value)
		case touchpoint.KindAnonymousID:
			f.AnonymousIDs = append(f.AnonymousIDs, id.Value)
		}
	}
	events, err := d.cfg.Events.Timeline(r.Context(), f)
	if err != nil {
		return err
	}
	if len(events) > timelineShown {
		events, data.Truncated = events[len(events)-timelineShown:], true
	}
	slices.Reverse(events)
	for _, ev := range events {
		data.Timeline = append(data.Timeline, timelineEvent(ev))
	}
	for _, k := range sortedKeys(p.Computed.EventsByChannel) {
		data.ByChannel = append(data.ByChannel, Slice{k, p.Computed.EventsByChannel[k]})
	}
	slices.SortFunc(data.ByChannel, func(a, b Slice) int { return int(b.Value - a.Value) })
	for _, k := range sortedKeys(p.Computed.EventsByName) {
		data.TopEvents = append(data.TopEvents, Slice{k, p.Computed.EventsByName[k]})
	}
	slices.SortFunc(data.TopEvents, func(a, b Slice) int { return int(b.Value - a.Value) })
	if len(data.TopEvents) > 8 {
		data.TopEvents = data.TopEvents[:8]
	}
	if v.Actor.Can(touchpoint.PermFeedbackRead) && d.cfg.Feedback != nil {
		if err := d.profileFeedback(r, &data, p); err != nil {
			return err
		}
	}
	if err := d.loadProfileJourneys(r.Context(), ws, p.ID, &data); err != nil {
		return err
	}
	v.Data = data
	return nil
}

// profileFeedback fills the customer's latest feedback from every source.
func (d *Dashboard) profileFeedback(r *http.Request, data *ProfileData, p *touchpoint.Profile) error {
	f := touchpoint.FeedbackFilter{Workspace: p.Workspace, Limit: 4}
	f.UserIDs, f.AnonymousIDs, f.Emails = identifiersOf(p)
	items, err := d.cfg.Feedback.FindFeedback(r.Context(), f)
	if err != nil {
		return err
	}
	if data.Feedback, err = d.feedbackRows(r.Context(), p.Workspace, items); err != nil {
		return err
	}
	data.FeedbackLink = inboxLink("customer", p.ID)
	return nil
}

// timelineEvent names an event for a person: the event name of a track,
// the page or screen name, and a few properties worth a glance.
func timelineEvent(ev *touchpoint.Event) TimelineEvent {
	t := TimelineEvent{Event: ev}
	switch ev.Type {
	case touchpoint.TypeTrack:
		t.Title = ev.Event
	case touchpoint.TypePage:
		t.Title = "Viewed page " + ev.Name
	case touchpoint.TypeScreen:
		t.Title = "Viewed screen " + ev.Name
	case touchpoint.TypeIdentify:
		t.Title = "Identified"
	case touchpoint.TypeGroup:
		t.Title = "Joined account " + ev.GroupID
	case touchpoint.TypeAlias:
		t.Title = "Linked " + ev.PreviousID
	}
	t.Title = strings.TrimSpace(t.Title)
	raw := ev.Properties
	if ev.Type == touchpoint.TypeIdentify || ev.Type == touchpoint.TypeGroup {
		raw = ev.Traits
	}
	var props map[string]json.RawMessage
	if json.Unmarshal(raw, &props) == nil {
		var parts []string
		for _, k := range sortedKeys(props) {
			v := jsonValue(props[k])
			if len(v) > 60 || strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
				continue
			}
			parts = append(parts, k+": "+v)
			if len(parts) == 4 {
				break
			}
		}
		t.Summary = strings.Join(parts, " · ")
	}
	return t
}
