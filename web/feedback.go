package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/text"
)

func (d *Dashboard) feedbackPages() []*Page {
	return []*Page{{Section: "Insights", Title: "Feedback", Path: "/feedback", Nav: true, Icon: "inbox",
		Permission: touchpoint.PermFeedbackRead, Template: "feedback.html", Load: d.loadInbox}}
}

// feedbackSourcePages come after the event sources in the navigation.
func (d *Dashboard) feedbackSourcePages() []*Page {
	return []*Page{{Section: "Data", Title: "Feedback sources", Path: "/feedback-sources", Nav: true, Icon: "hook",
		Permission: touchpoint.PermSourcesManage, Template: "feedback_sources.html", Scripts: []string{"feedback-sources.js"}, Load: d.loadFeedbackSources}}
}

// FeedbackRow is a feedback item with the names a person reads it by.
type FeedbackRow struct {
	*touchpoint.Feedback
	// Customer is the customer's email or user id, "" for anonymous ones.
	Customer   string
	SurveyName string
	SourceName string
}

// ScoreText prints the score on its scale ("9 / 10"), or "".
func (f FeedbackRow) ScoreText() string {
	// Items stored before null scores were read as none have 0 of 0.
	if f.Score == nil || f.MaxScore != nil && *f.MaxScore == 0 {
		return ""
	}
	s := formatNum(*f.Score)
	if f.MaxScore != nil {
		s += " / " + formatNum(*f.MaxScore)
	}
	return s
}

// ScoreTone is good, fair or poor for the score's badge.
func (f FeedbackRow) ScoreTone() string {
	if f.Score == nil {
		return ""
	}
	hi := 5.0
	if f.MaxScore != nil && *f.MaxScore > 0 {
		hi = *f.MaxScore
	}
	switch pos := *f.Score / hi; {
	case f.SurveyType == "nps" && *f.Score >= 9, f.SurveyType != "nps" && pos >= 0.8:
		return "good"
	case f.SurveyType == "nps" && *f.Score >= 7, f.SurveyType != "nps" && pos >= 0.6:
		return "fair"
	}
	return "poor"
}

// LanguageName names the item's language.
func (f FeedbackRow) LanguageName() string { return languageName(f.Language) }

// names resolves the ids a feedback list mentions to names, each once.
type names struct {
	d       *Dashboard
	ws      string
	surveys map[string]string
	hooks   map[string]string
	// profiles caches identifier → profile id ("" when unresolved).
	profiles map[string]string
}

func (d *Dashboard) names(ctx context.Context, ws string) (*names, error) {
	n := &names{d: d, ws: ws, surveys: map[string]string{}, hooks: map[string]string{"survey": "Survey", "import": "CSV import"}, profiles: map[string]string{}}
	list, err := d.cfg.Surveys.FindSurveys(ctx, touchpoint.SurveyFilter{Workspace: ws})
	if err != nil {
		return nil, err
	}
	for _, sv := range list {
		n.surveys[sv.ID] = sv.Name
	}
	hooks, err := d.cfg.Feedback.FindFeedbackHooks(ctx, ws)
	if err != nil {
		return nil, err
	}
	for _, h := range hooks {
		n.hooks[h.ID] = h.Name
	}
	return n, nil
}

// profileOf finds the item's customer now, by the identifiers it came
// with, so that merges show at once.
func (n *names) profileOf(ctx context.Context, it *touchpoint.Feedback) (string, error) {
	for _, id := range []touchpoint.Identifier{{Kind: touchpoint.KindUserID, Value: it.UserID}, {Kind: touchpoint.KindEmail, Value: it.Email},
		{Kind: touchpoint.KindAnonymousID, Value: it.AnonymousID}} {
		if id.Value == "" {
			continue
		}
		key := id.String()
		pid, ok := n.profiles[key]
		if !ok {
			p, err := n.d.cfg.Profiles.FindProfile(ctx, n.ws, id)
			if err == nil {
				pid = p.ID
			} else if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				return "", err
			}
			n.profiles[key] = pid
		}
		if pid != "" {
			return pid, nil
		}
	}
	return "", nil
}

func (n *names) rows(ctx context.Context, items []*touchpoint.Feedback) ([]FeedbackRow, error) {
	out := make([]FeedbackRow, 0, len(items))
	for _, it := range items {
		row := FeedbackRow{Feedback: it, SurveyName: n.surveys[it.SurveyID], SourceName: n.hooks[it.Source]}
		if row.SourceName == "" {
			row.SourceName = it.Source
		}
		if row.SurveyName == "" {
			row.SurveyName = it.SurveyID
		}
		switch {
		case it.Email != "":
			row.Customer = it.Email
		case it.UserID != "":
			row.Customer = it.UserID
		}
		if it.ProfileID == "" {
			pid, err := n.profileOf(ctx, it)
			if err != nil {
				return nil, err
			}
			it.ProfileID = pid
		}
		out = append(out, row)
	}
	return out, nil
}

// feedbackRows names the items of one list.
func (d *Dashboard) feedbackRows(ctx context.Context, ws string, items []*touchpoint.Feedback) ([]FeedbackRow, error) {
	n, err := d.names(ctx, ws)
	if err != nil {
		return nil, err
	}
	return n.rows(ctx, items)
}

// InboxData is what the feedback inbox shows.
type InboxData struct {
	Filters InboxFilters
	Items   []FeedbackRow
	// Older is the next page's address, "" on the last page.
	Older string
	// Paged is set past the first page.
	Paged   bool
	Export  string
	Options InboxOptions
}

// InboxFilters are the inbox's filters as the form shows them.
type InboxFilters struct {
	Source, Kind, Channel, Survey, Sentiment, Language, Topic, Flagged, HasText string
	Customer, CustomerName                                                      string
	MinScore, MaxScore, Q, From, To                                             string
}

// Any reports whether any filter is set.
func (f InboxFilters) Any() bool {
	return f != InboxFilters{}
}

// InboxOptions are the choices of the inbox's selects.
type InboxOptions struct {
	Sources, Kinds, Channels, Surveys, Sentiments, Languages, Topics []Option
}

const inboxPage = 50

// inboxFilter reads the inbox's parameters into a feedback filter.
func (d *Dashboard) inboxFilter(r *http.Request, ws string) (touchpoint.FeedbackFilter, InboxFilters, error) {
	q := r.URL.Query()
	in := InboxFilters{Source: q.Get("source"), Kind: q.Get("kind"), Channel: q.Get("channel"), Survey: q.Get("survey_id"),
		Sentiment: q.Get("sentiment"), Language: q.Get("language"), Topic: q.Get("topic"), Flagged: q.Get("flagged"), HasText: q.Get("has_text"),
		Customer: q.Get("customer"), MinScore: q.Get("min_score"), MaxScore: q.Get("max_score"), Q: strings.TrimSpace(q.Get("q")),
		From: q.Get("from"), To: q.Get("to")}
	f := touchpoint.FeedbackFilter{Workspace: ws, Q: in.Q, Before: q.Get("before"), Limit: inboxPage}
	for _, p := range []struct {
		v   string
		dst **string
	}{{in.Source, &f.Source}, {in.Kind, &f.Kind}, {in.Channel, &f.Channel}, {in.Survey, &f.SurveyID},
		{in.Sentiment, &f.Sentiment}, {in.Language, &f.Language}, {in.Topic, &f.Topic}} {
		if p.v != "" {
			v := p.v
			*p.dst = &v
		}
	}
	for _, p := range []struct {
		name, v string
		dst     **bool
	}{{"flagged", in.Flagged, &f.Flagged}, {"has_text", in.HasText, &f.HasText}} {
		if p.v == "" {
			continue
		}
		b, err := strconv.ParseBool(p.v)
		if err != nil {
			return f, in, touchpoint.FieldError(p.name, "must be true or false")
		}
		*p.dst = &b
	}
	for _, p := range []struct {
		name, v string
		dst     **float64
	}{{"min_score", in.MinScore, &f.MinScore}, {"max_score", in.MaxScore, &f.MaxScore}} {
		if p.v == "" {
			continue
		}
		n, err := strconv.ParseFloat(p.v, 64)
		if err != nil {
			return f, in, touchpoint.FieldError(p.name, "must be a number")
		}
		*p.dst = &n
	}
	for _, p := range []struct {
		name, v  string
		dst      **time.Time
		endOfDay bool
	}{{"from", in.From, &f.Since, false}, {"to", in.To, &f.Until, true}} {
		if p.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, p.v)
		if err != nil {
			return f, in, touchpoint.FieldError(p.name, "must be a date such as 2026-11-30")
		}
		if p.endOfDay {
			t = t.Add(24 * time.Hour)
		}
		*p.dst = &t
	}
	if in.Customer != "" {
		ref, err := profileRef(in.Customer)
		if err != nil {
			return f, in, err
		}
		p, err := d.cfg.Profiles.FindProfile(r.Context(), ws, ref)
		if err != nil {
			return f, in, err
		}
		row := profileRow(p)
		in.CustomerName = row.DisplayName()
		f.UserIDs, f.AnonymousIDs, f.Emails = identifiersOf(p)
	}
	return f, in, nil
}

// identifiersOf lists a profile's user ids, anonymous ids and emails, the
// identifiers feedback carries. The lists are never nil: an empty list
// still filters (to nothing).
func identifiersOf(p *touchpoint.Profile) (users, anonymous, emails []string) {
	users, anonymous, emails = []string{}, []string{}, []string{}
	for _, id := range p.Identifiers {
		switch id.Kind {
		case touchpoint.KindUserID:
			users = append(users, id.Value)
		case touchpoint.KindAnonymousID:
			anonymous = append(anonymous, id.Value)
		case touchpoint.KindEmail:
			emails = append(emails, id.Value)
		}
	}
	return users, anonymous, emails
}

func (d *Dashboard) loadInbox(r *http.Request, v *View) error {
	ctx, ws := r.Context(), v.Workspace.ID
	f, in, err := d.inboxFilter(r, ws)
	if err != nil {
		return err
	}
	items, err := d.cfg.Feedback.FindFeedback(ctx, f)
	if err != nil {
		return err
	}
	n, err := d.names(ctx, ws)
	if err != nil {
		return err
	}
	data := InboxData{Filters: in, Paged: f.Before != ""}
	if data.Items, err = n.rows(ctx, items); err != nil {
		return err
	}
	q := r.URL.Query()
	q.Del("before")
	data.Export = "/feedback/export.csv?" + q.Encode()
	if len(items) == f.Limit {
		q.Set("before", items[len(items)-1].ID)
		data.Older = "/feedback?" + q.Encode()
	}
	data.Options = InboxOptions{
		Kinds:      []Option{{"survey", "Survey responses"}, {"ticket", "Support tickets"}, {"review", "Reviews"}, {"other", "Other"}},
		Sentiments: []Option{{"positive", "Positive"}, {"neutral", "Neutral"}, {"negative", "Negative"}},
		Sources:    []Option{{"survey", "Surveys"}, {"import", "CSV imports"}},
	}
	for _, c := range []string{"survey", "email", "web", "app", "sms", "support", "review", "call_center", "store", "import", "server"} {
		data.Options.Channels = append(data.Options.Channels, Option{c, titleCase(c)})
	}
	for _, l := range []string{"en", "vi", "th", "fa", "und"} {
		data.Options.Languages = append(data.Options.Languages, Option{l, languageName(l)})
	}
	for _, t := range text.TopicNames() {
		data.Options.Topics = append(data.Options.Topics, Option{t, titleCase(t)})
	}
	for _, id := range sortedKeys(n.hooks) {
		if id != "survey" && id != "import" {
			data.Options.Sources = append(data.Options.Sources, Option{id, n.hooks[id]})
		}
	}
	for _, id := range sortedKeys(n.surveys) {
		data.Options.Surveys = append(data.Options.Surveys, Option{id, n.surveys[id]})
	}
	v.Data = data
	return nil
}

// maxExport bounds one CSV export of the inbox.
const maxExport = 10000

// handleFeedbackCSV exports every item the inbox's filters match (up to
// maxExport), newest first. Customers' identifiers are in the file only
// for roles that may read profiles.
func (d *Dashboard) handleFeedbackCSV(w http.ResponseWriter, r *http.Request) {
	s := sessionFrom(r)
	ctx, ws := r.Context(), s.actor.Workspace
	f, _, err := d.inboxFilter(r, ws)
	if err != nil {
		d.renderError(w, r, err)
		return
	}
	n, err := d.names(ctx, ws)
	if err != nil {
		d.renderError(w, r, err)
		return
	}
	personal := s.actor.Can(touchpoint.PermProfilesRead)
	var buf strings.Builder
	cw := csv.NewWriter(&buf)
	head := []string{"id", "created_at", "kind", "source", "channel", "survey_id", "survey", "score", "max_score", "sentiment",
		"sentiment_score", "language", "topics", "title", "text", "touchpoint", "flags"}
	if personal {
		head = append(head, "profile_id", "user_id", "email")
	}
	cw.Write(head)
	f.Limit, f.Before = touchpoint.MaxFeedbackLimit, ""
	for written := 0; written < maxExport; {
		items, err := d.cfg.Feedback.FindFeedback(ctx, f)
		if err != nil {
			d.renderError(w, r, err)
			return
		}
		rows, err := n.rows(ctx, items)
		if err != nil {
			d.renderError(w, r, err)
			return
		}
		for _, it := range rows {
			rec := []string{it.ID, it.CreatedAt.UTC().Format(time.RFC3339), it.Kind, it.SourceName, it.Channel, it.SurveyID, cell(it.SurveyName),
				num(it.Score), num(it.MaxScore), it.Sentiment, num(it.SentimentScore), it.Language, strings.Join(it.Topics, " "),
				cell(it.Title), cell(it.Text), cell(it.Touchpoint), strings.Join(it.Flags, " ")}
			if personal {
				rec = append(rec, it.ProfileID, cell(it.UserID), cell(it.Email))
			}
			cw.Write(rec)
		}
		written += len(items)
		if len(items) < f.Limit {
			break
		}
		f.Before = items[len(items)-1].ID
	}
	cw.Flush()
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="feedback-`+d.cfg.Clock.Now().UTC().Format("2006-01-02")+`.csv"`)
	h.Set("Cache-Control", "no-store")
	w.Write([]byte(buf.String()))
}

func num(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// cell keeps customer text from being read as a formula by a spreadsheet
// that opens the export.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// FeedbackSourcesData is what the feedback sources page shows, and the
// JSON its script starts from.
type FeedbackSourcesData struct {
	Hooks   []HookRow `json:"hooks"`
	Base    string    `json:"base"`
	Example string    `json:"example"`
	// Created is the hook made just before the page opened.
	Created *HookRow `json:"-"`
}

// HookRow is an inbound webhook with the address its sender calls.
type HookRow struct {
	*touchpoint.FeedbackHook
	URL string `json:"url"`
}

// Curl is a command that calls the hook with a sample body, for trying it
// from a terminal.
func (h HookRow) Curl() string {
	auth := "-H '" + h.Auth.Header + ": "
	if h.Auth.Scheme == touchpoint.HookHMAC {
		auth += h.Auth.Prefix + "<HMAC-SHA256 of the body>'"
	} else if h.Auth.Header == "Authorization" {
		auth += "Bearer " + h.Secret + "'"
	} else {
		auth += h.Secret + "'"
	}
	return "curl -X POST " + h.URL + " \\\n  " + auth + " \\\n  -H 'Content-Type: application/json' \\\n  -d @sample.json"
}

// exampleTicket is the sample payload the webhook form starts with: a
// helpdesk ticket as such systems post them.
const exampleTicket = `{
  "ticket": {
    "id": 4521,
    "subject": "Parcel arrived late and damaged",
    "description": "My order arrived three days late and the box was crushed. The support agent was friendly though.",
    "created_at": "2026-11-20T09:14:02Z",
    "requester": {"id": 88123, "name": "Ana Silva", "email": "ana.silva@example.com"},
    "satisfaction_rating": {"score": "bad"}
  }
}`

func (d *Dashboard) loadFeedbackSources(r *http.Request, v *View) error {
	hooks, err := d.cfg.Feedback.FindFeedbackHooks(r.Context(), v.Workspace.ID)
	if err != nil {
		return err
	}
	base := d.publicBase(v)
	data := FeedbackSourcesData{Base: base, Example: exampleTicket, Hooks: []HookRow{}}
	for _, h := range hooks {
		row := HookRow{FeedbackHook: h, URL: base + "/hooks/" + h.ID}
		data.Hooks = append(data.Hooks, row)
		if h.ID == r.URL.Query().Get("created") {
			data.Created = &row
		}
	}
	v.Data = data
	return nil
}

// publicBase is where customers and other systems reach this server: the
// configured public URL, else the address the browser used.
func (d *Dashboard) publicBase(v *View) string {
	if d.cfg.PublicURL != "" {
		return strings.TrimRight(d.cfg.PublicURL, "/")
	}
	return v.Origin
}

// inboxLink is the inbox filtered by one parameter.
func inboxLink(key, value string) string {
	return "/feedback?" + url.Values{key: {value}}.Encode()
}
