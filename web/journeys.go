package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/journey"
)

// The Journeys section: the list of journeys, the canvas builder, a
// journey's statistics, the outbox and the messaging rules. Journeys are
// read with analytics:read, the permission the API reads them with;
// building, publishing and stopping need journeys:write, and the API
// checks again when the builder calls it.
func (d *Dashboard) journeyPages() []*Page {
	builder := []string{"journeys.js"}
	return []*Page{
		{Section: "Journeys", Title: "Journeys", Path: "/journeys", Nav: true, Icon: "journey",
			Permission: touchpoint.PermAnalyticsRead, Template: "journeys.html", Load: d.loadJourneys},
		{Section: "Journeys", Title: "New journey", Path: "/journeys/new", Icon: "journey",
			Permission: touchpoint.PermJourneysWrite, Template: "builder.html", Scripts: builder, Load: d.loadNewJourney},
		{Section: "Journeys", Title: "Journey", Path: "/journeys/{id}", Icon: "journey",
			Permission: touchpoint.PermAnalyticsRead, Template: "journey.html", Scripts: builder, Load: d.loadJourney},
		{Section: "Journeys", Title: "Edit journey", Path: "/journeys/{id}/edit", Icon: "journey",
			Permission: touchpoint.PermJourneysWrite, Template: "builder.html", Scripts: builder, Load: d.loadJourneyBuilder},
		{Section: "Journeys", Title: "Messages", Path: "/messages", Nav: true, Icon: "send",
			Permission: touchpoint.PermProfilesRead, Template: "messages.html", Load: d.loadMessages},
		{Section: "Journeys", Title: "Messaging rules", Path: "/messaging", Nav: true, Icon: "shield",
			Permission: touchpoint.PermJourneysWrite, Template: "messaging.html", Load: d.loadMessaging},
	}
}

// JourneysData is what the journey list shows.
type JourneysData struct {
	Journeys []JourneyRow
}

// JourneyRow is one journey of the list.
type JourneyRow struct {
	*touchpoint.Journey
	Entry string
	// Stats are the live version's counts; nil for a journey never published.
	Stats *touchpoint.JourneyStats
	// Changed says the draft differs from the published version.
	Changed bool
}

func (d *Dashboard) loadJourneys(r *http.Request, v *View) error {
	ctx, ws := r.Context(), v.Workspace.ID
	js, err := d.cfg.Journeys.ListJourneys(ctx, ws)
	if err != nil {
		return err
	}
	data := JourneysData{}
	for _, j := range js {
		row := JourneyRow{Journey: j, Entry: entryLabel(j.Draft.Entry)}
		if j.ActiveVersion > 0 {
			if row.Stats, err = d.cfg.Journeys.JourneyStats(ctx, ws, j.ID, j.ActiveVersion); err != nil {
				return err
			}
			jv, err := d.cfg.Journeys.FindJourneyVersion(ctx, ws, j.ID, j.ActiveVersion)
			if err != nil {
				return err
			}
			row.Entry = entryLabel(jv.Definition.Entry)
			row.Changed = !sameDefinition(&jv.Definition, &j.Draft)
		}
		data.Journeys = append(data.Journeys, row)
	}
	v.Data = data
	return nil
}

// sameDefinition compares two definitions as the API writes them.
func sameDefinition(a, b *touchpoint.JourneyDefinition) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// entryLabel says in a few words who enters a journey.
func entryLabel(e touchpoint.JourneyEntry) string {
	switch e.Type {
	case touchpoint.EntryEvent:
		return "Event “" + e.Event + "”"
	case touchpoint.EntrySegmentEntered:
		return "Enters segment " + e.SegmentID
	case touchpoint.EntrySegmentExited:
		return "Leaves segment " + e.SegmentID
	case touchpoint.EntryFeedback:
		s := "Feedback"
		if e.SurveyType != "" {
			s = strings.ToUpper(e.SurveyType)
		}
		if e.ScoreMin != nil && e.ScoreMax != nil {
			s += fmt.Sprintf(" %g–%g", *e.ScoreMin, *e.ScoreMax)
		} else if e.ScoreMax != nil {
			s += fmt.Sprintf(" ≤ %g", *e.ScoreMax)
		} else if e.ScoreMin != nil {
			s += fmt.Sprintf(" ≥ %g", *e.ScoreMin)
		}
		return s
	case touchpoint.EntryDate:
		s := "Date " + e.Trait
		if e.Offset != 0 {
			s += " " + e.Offset.String()
		}
		return s
	case touchpoint.EntryAPI:
		return "API call"
	}
	return e.Type
}

// CanvasData is what journeys.js draws, embedded in the page as JSON: the
// journey document, and in the statistics view the counts of a version.
type CanvasData struct {
	// Mode is "edit" (the builder) or "stats" (read-only with counts).
	Mode          string                      `json:"mode"`
	ID            string                      `json:"id"`
	New           bool                        `json:"new"`
	Status        string                      `json:"status"`
	ActiveVersion int                         `json:"active_version"`
	Version       int                         `json:"version,omitempty"`
	Doc           *touchpoint.JourneyDocument `json:"doc"`
	Stats         *touchpoint.JourneyStats    `json:"stats,omitempty"`
	// Surveys are the surveys a survey step may send.
	Surveys []SurveyChoice `json:"surveys"`
	// From is the workspace's default sender, shown where a step has none.
	From string `json:"default_from,omitempty"`
	// GoalNode is where statistics count customers waiting for the goal.
	GoalNode string `json:"goal_node"`
}

// SurveyChoice is a survey a survey step may send.
type SurveyChoice struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Status string `json:"status"`
}

// JourneyBuilderData is what the builder page shows.
type JourneyBuilderData struct {
	Title   string
	Journey *touchpoint.Journey
	Canvas  CanvasData
	// Palette lists the steps that can be added, in order.
	Palette []PaletteItem
}

// PaletteItem is one kind of step of the builder's palette.
type PaletteItem struct{ Type, Label, Help string }

var palette = []PaletteItem{
	{"entry", "Entry", "Who enters, and when"},
	{"wait", "Wait", "A duration, a time of day or an event"},
	{"branch", "Branch", "Take a path by expression"},
	{"split", "Split", "Random A/B/n with a holdout"},
	{"email", "Email", "Send an email"},
	{"sms", "SMS", "Send a text message"},
	{"webhook", "Webhook", "Call a URL, signed"},
	{"in_app", "In-app", "Show a message on the site"},
	{"survey", "Survey", "Ask a survey, wait for the answer"},
	{"update_trait", "Update trait", "Set a profile trait"},
	{"list", "List", "Add to or remove from a list"},
	{"exit", "Exit", "End the journey here"},
	{"goal", "Goal", "The conversion that counts"},
}

func (d *Dashboard) loadNewJourney(r *http.Request, v *View) error {
	doc := &touchpoint.JourneyDocument{JourneyDefinition: touchpoint.JourneyDefinition{
		Entry: touchpoint.JourneyEntry{Type: touchpoint.EntryEvent, Position: &touchpoint.Position{X: 40, Y: 60}},
		Nodes: []touchpoint.JourneyStep{},
	}}
	canvas, err := d.canvas(r.Context(), v.Workspace.ID, "edit", doc)
	if err != nil {
		return err
	}
	canvas.New, canvas.Status = true, touchpoint.JourneyDraft
	v.Data = JourneyBuilderData{Title: "New journey", Canvas: canvas, Palette: palette}
	return nil
}

func (d *Dashboard) loadJourneyBuilder(r *http.Request, v *View) error {
	j, err := d.cfg.Journeys.FindJourney(r.Context(), v.Workspace.ID, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	canvas, err := d.canvas(r.Context(), v.Workspace.ID, "edit", &touchpoint.JourneyDocument{ID: j.ID, JourneyDefinition: j.Draft})
	if err != nil {
		return err
	}
	canvas.Status, canvas.ActiveVersion = j.Status, j.ActiveVersion
	v.Title = "Edit " + j.Draft.Name
	v.Data = JourneyBuilderData{Title: j.Draft.Name, Journey: j, Canvas: canvas, Palette: palette}
	return nil
}

// canvas fills what every view of the canvas needs.
func (d *Dashboard) canvas(ctx context.Context, ws, mode string, doc *touchpoint.JourneyDocument) (CanvasData, error) {
	if doc.Nodes == nil {
		doc.Nodes = []touchpoint.JourneyStep{}
	}
	c := CanvasData{Mode: mode, ID: doc.ID, Doc: doc, Surveys: []SurveyChoice{}, GoalNode: journey.GoalNodeID}
	if mode != "edit" {
		return c, nil
	}
	if d.cfg.Surveys != nil {
		ss, err := d.cfg.Surveys.FindSurveys(ctx, touchpoint.SurveyFilter{Workspace: ws})
		if err != nil {
			return c, err
		}
		for _, s := range ss {
			c.Surveys = append(c.Surveys, SurveyChoice{ID: s.ID, Name: s.Name, Type: string(s.Type), Status: s.Status})
		}
	}
	if d.cfg.Messaging != nil {
		st, err := d.cfg.Messaging.MessagingSettings(ctx, ws)
		if err != nil {
			return c, err
		}
		c.From = st.From
	}
	return c, nil
}

// JourneyData is what a journey's page shows: one version (the live one
// unless ?version= picks another, the draft if never published) with its
// counts, the versions, the outbox and the latest enrolments.
type JourneyData struct {
	Journey *touchpoint.Journey
	// Version is the version shown; 0 shows the draft.
	Version   int
	Published *touchpoint.JourneyVersion
	Stats     *touchpoint.JourneyStats
	Canvas    CanvasData
	Nodes     []NodeRow
	Splits    []SplitView
	Versions  []VersionRow
	// Sent and Failed add up the message steps.
	Sent, Failed int64
	// Messages (the outbox) and Enrolments are shown to roles that read
	// personal data; Dead holds the dead letters.
	ShowPeople bool
	Dead       []*touchpoint.Delivery
	Messages   []*touchpoint.Delivery
	Enrolments []EnrolmentRow
	Changed    bool
}

// ConversionRate is the share of enrolled customers who converted.
func (d JourneyData) ConversionRate() string {
	if d.Stats == nil || d.Stats.Enrolled == 0 {
		return "–"
	}
	return pct(float64(d.Stats.Converted) / float64(d.Stats.Enrolled))
}

// NodeRow is one node's counts.
type NodeRow struct {
	ID, Type, Label string
	*touchpoint.NodeStats
	Passed []PortCount
}

// PortCount is how many customers left a node through one output.
type PortCount struct {
	Port string
	N    int64
}

// SplitView is a split node's conversion by arm.
type SplitView struct {
	NodeID, Label string
	Test          string
	Arms          []ArmRow
}

// ArmRow is one arm of a split, with its comparison to the holdout.
type ArmRow struct{ *touchpoint.ArmStats }

// RateText is the arm's goal conversion.
func (a ArmRow) RateText() string {
	if a.Entered == 0 {
		return "–"
	}
	return pct(a.Rate)
}

// UpliftText is the arm's relative uplift over the holdout.
func (a ArmRow) UpliftText() string {
	if a.Holdout {
		return "baseline"
	}
	if a.Uplift == nil {
		return "–"
	}
	return fmt.Sprintf("%+.1f%%", *a.Uplift*100)
}

// PText is the p-value of the arm's z-test against the holdout.
func (a ArmRow) PText() string {
	if a.PValue == nil {
		return "–"
	}
	if *a.PValue < 0.001 {
		return "< 0.001"
	}
	return strconv.FormatFloat(*a.PValue, 'f', 3, 64)
}

// ZText is the z statistic.
func (a ArmRow) ZText() string {
	if a.Z == nil {
		return "–"
	}
	return strconv.FormatFloat(*a.Z, 'f', 2, 64)
}

// VersionRow is one published version.
type VersionRow struct {
	*touchpoint.JourneyVersion
	Enrolled, Converted int64
	Live, Shown         bool
}

func pct(f float64) string {
	if math.IsNaN(f) {
		return "–"
	}
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}

// versionsShown caps the versions listed with their counts.
const versionsShown = 20

func (d *Dashboard) loadJourney(r *http.Request, v *View) error {
	ctx, ws := r.Context(), v.Workspace.ID
	j, err := d.cfg.Journeys.FindJourney(ctx, ws, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	data := JourneyData{Journey: j, Version: j.ActiveVersion, ShowPeople: v.Can(string(touchpoint.PermProfilesRead))}
	v.Title = j.Draft.Name
	if q := r.URL.Query().Get("version"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > j.ActiveVersion {
			return touchpoint.FieldError("version", "must be a published version, 1 to %d", j.ActiveVersion)
		}
		data.Version = n
	}
	def := j.Draft
	if data.Version > 0 {
		if data.Published, err = d.cfg.Journeys.FindJourneyVersion(ctx, ws, j.ID, data.Version); err != nil {
			return err
		}
		def = data.Published.Definition
		if data.Stats, err = d.cfg.Journeys.JourneyStats(ctx, ws, j.ID, data.Version); err != nil {
			return err
		}
		if data.Version == j.ActiveVersion {
			data.Changed = !sameDefinition(&def, &j.Draft)
		}
	}
	if data.Canvas, err = d.canvas(ctx, ws, "stats", &touchpoint.JourneyDocument{ID: j.ID, JourneyDefinition: def}); err != nil {
		return err
	}
	data.Canvas.Status, data.Canvas.ActiveVersion, data.Canvas.Version, data.Canvas.Stats = j.Status, j.ActiveVersion, data.Version, data.Stats
	if st := data.Stats; st != nil {
		rows := []NodeRow{{ID: touchpoint.EntryNodeID, Type: "entry", Label: entryLabel(def.Entry)}}
		for _, n := range def.Nodes {
			label := n.Name
			if label == "" {
				label = n.ID
			}
			rows = append(rows, NodeRow{ID: n.ID, Type: n.Type, Label: label})
		}
		for i := range rows {
			ns := st.Nodes[rows[i].ID]
			if ns == nil {
				ns = &touchpoint.NodeStats{}
			}
			rows[i].NodeStats = ns
			for _, port := range sortedKeys(ns.Passed) {
				rows[i].Passed = append(rows[i].Passed, PortCount{port, ns.Passed[port]})
			}
			data.Sent += ns.Sent
			data.Failed += ns.Failed
		}
		data.Nodes = rows
		for _, n := range def.Nodes {
			sp := st.Splits[n.ID]
			if sp == nil {
				continue
			}
			view := SplitView{NodeID: n.ID, Label: n.Name, Test: sp.Test}
			if view.Label == "" {
				view.Label = n.ID
			}
			for _, a := range sp.Arms {
				view.Arms = append(view.Arms, ArmRow{a})
			}
			data.Splits = append(data.Splits, view)
		}
	}
	for n := j.ActiveVersion; n >= 1 && n > j.ActiveVersion-versionsShown; n-- {
		jv, err := d.cfg.Journeys.FindJourneyVersion(ctx, ws, j.ID, n)
		if err != nil {
			return err
		}
		row := VersionRow{JourneyVersion: jv, Live: n == j.ActiveVersion && j.Status == touchpoint.JourneyLive, Shown: n == data.Version}
		st := data.Stats
		if !row.Shown {
			if st, err = d.cfg.Journeys.JourneyStats(ctx, ws, j.ID, n); err != nil {
				return err
			}
		}
		row.Enrolled, row.Converted = st.Enrolled, st.Converted
		data.Versions = append(data.Versions, row)
	}
	if data.ShowPeople {
		dead := touchpoint.DeliveryDead
		if data.Dead, err = d.cfg.Deliveries.FindDeliveries(ctx, touchpoint.DeliveryFilter{Workspace: ws, JourneyID: &j.ID, Status: &dead, Limit: 100}); err != nil {
			return err
		}
		if data.Messages, err = d.cfg.Deliveries.FindDeliveries(ctx, touchpoint.DeliveryFilter{Workspace: ws, JourneyID: &j.ID, Limit: 50}); err != nil {
			return err
		}
		es, err := d.cfg.Journeys.FindEnrolments(ctx, touchpoint.EnrolmentFilter{Workspace: ws, JourneyID: &j.ID, Limit: 50})
		if err != nil {
			return err
		}
		for _, e := range es {
			data.Enrolments = append(data.Enrolments, EnrolmentRow{Enrolment: e, Name: j.Draft.Name})
		}
	}
	v.Data = data
	return nil
}

// MessagesData is what the outbox page shows.
type MessagesData struct {
	Status, JourneyID string
	Filters           []Preset
	Messages          []*touchpoint.Delivery
	// Journeys names the journeys the messages come from.
	Journeys map[string]string
}

// messagesShown caps the outbox page.
const messagesShown = 200

func (d *Dashboard) loadMessages(r *http.Request, v *View) error {
	ctx, ws := r.Context(), v.Workspace.ID
	q := r.URL.Query()
	data := MessagesData{Status: q.Get("status"), JourneyID: q.Get("journey"), Journeys: map[string]string{}}
	f := touchpoint.DeliveryFilter{Workspace: ws, Limit: messagesShown}
	switch data.Status {
	case "":
	case touchpoint.DeliveryPending, touchpoint.DeliverySending, touchpoint.DeliverySent, touchpoint.DeliverySkipped, touchpoint.DeliveryDead:
		f.Status = &data.Status
	default:
		return touchpoint.FieldError("status", "must be pending, sending, sent, skipped or dead")
	}
	if data.JourneyID != "" {
		f.JourneyID = &data.JourneyID
	}
	for _, s := range []struct{ label, value string }{{"All", ""}, {"Dead letters", "dead"}, {"Pending", "pending"}, {"Sent", "sent"}, {"Skipped", "skipped"}} {
		q := url.Values{}
		if s.value != "" {
			q.Set("status", s.value)
		}
		if data.JourneyID != "" {
			q.Set("journey", data.JourneyID)
		}
		href := "/messages"
		if len(q) > 0 {
			href += "?" + q.Encode()
		}
		data.Filters = append(data.Filters, Preset{Label: s.label, Href: href, Active: s.value == data.Status})
	}
	var err error
	if data.Messages, err = d.cfg.Deliveries.FindDeliveries(ctx, f); err != nil {
		return err
	}
	js, err := d.cfg.Journeys.ListJourneys(ctx, ws)
	if err != nil {
		return err
	}
	for _, j := range js {
		data.Journeys[j.ID] = j.Draft.Name
	}
	v.Data = data
	return nil
}

// MessagingData is what the messaging rules page shows.
type MessagingData struct {
	Settings touchpoint.MessagingSettings
	// Channels are the channels customers consent to, with whether each
	// needs an opt-in.
	Channels []ChannelRule
	Hosts    string
	// Suppressions are shown to roles that manage privacy.
	Suppressions []*touchpoint.Suppression
}

// ChannelRule is one consent channel and its rule.
type ChannelRule struct {
	Channel, Label string
	OptIn          bool
}

var channelLabels = map[string]string{touchpoint.ChannelEmail: "Email", touchpoint.ChannelSMS: "SMS", touchpoint.ChannelInApp: "In-app"}

func (d *Dashboard) loadMessaging(r *http.Request, v *View) error {
	ctx, ws := r.Context(), v.Workspace.ID
	st, err := d.cfg.Messaging.MessagingSettings(ctx, ws)
	if err != nil {
		return err
	}
	data := MessagingData{Settings: st, Hosts: strings.Join(st.AllowedHosts, "\n")}
	for _, ch := range []string{touchpoint.ChannelEmail, touchpoint.ChannelSMS, touchpoint.ChannelInApp} {
		data.Channels = append(data.Channels, ChannelRule{Channel: ch, Label: channelLabels[ch], OptIn: slices.Contains(st.OptInChannels, ch)})
	}
	if v.Can(string(touchpoint.PermPrivacyManage)) {
		if data.Suppressions, err = d.cfg.Consent.Suppressions(ctx, ws); err != nil {
			return err
		}
	}
	v.Data = data
	return nil
}

// ConsentRow is a customer's answer on one channel, or the rule that
// applies without one.
type ConsentRow struct {
	Channel, Label string
	Consent        *touchpoint.Consent
	// Default says what applies without an answer.
	Default string
}

// EnrolmentRow is one customer's run through a journey.
type EnrolmentRow struct {
	*touchpoint.Enrolment
	// Name is the journey's.
	Name string
}

// Step says where the customer is, or where their run ended.
func (e EnrolmentRow) Step() string {
	if e.NodeID == journey.GoalNodeID {
		return "waiting for the goal"
	}
	return e.NodeID
}

// loadProfileJourneys adds a profile's consent and journeys to its page.
func (d *Dashboard) loadProfileJourneys(ctx context.Context, ws, profileID string, data *ProfileData) error {
	if d.cfg.Consent == nil || d.cfg.Messaging == nil || d.cfg.Journeys == nil {
		return nil
	}
	cs, err := d.cfg.Consent.Consents(ctx, ws, profileID)
	if err != nil {
		return err
	}
	st, err := d.cfg.Messaging.MessagingSettings(ctx, ws)
	if err != nil {
		return err
	}
	for _, ch := range []string{touchpoint.ChannelEmail, touchpoint.ChannelSMS, touchpoint.ChannelInApp} {
		row := ConsentRow{Channel: ch, Label: channelLabels[ch], Default: "allowed until they unsubscribe"}
		if slices.Contains(st.OptInChannels, ch) {
			row.Default = "not sent: this channel needs an opt-in"
		}
		for _, c := range cs {
			if c.Channel == ch {
				row.Consent = c
			}
		}
		data.Consent = append(data.Consent, row)
	}
	es, err := d.cfg.Journeys.FindEnrolments(ctx, touchpoint.EnrolmentFilter{Workspace: ws, ProfileID: &profileID, Limit: 20})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, e := range es {
		if _, ok := names[e.JourneyID]; !ok {
			names[e.JourneyID] = e.JourneyID
			if j, err := d.cfg.Journeys.FindJourney(ctx, ws, e.JourneyID); err == nil {
				names[e.JourneyID] = j.Draft.Name
			}
		}
		data.Journeys = append(data.Journeys, EnrolmentRow{Enrolment: e, Name: names[e.JourneyID]})
	}
	return nil
}

// messagePreviewPage shows a rendered message inside the builder's preview
// frame. It is a page of its own, not the dashboard's layout: the message's
// HTML keeps its inline styles, which the dashboard's policy forbids.
var messagePreviewPage = template.Must(template.New("preview.html").ParseFS(templateFS, "templates/preview.html"))

// PreviewData is what the preview frame shows.
type PreviewData struct {
	Preview *touchpoint.MessagePreview
	HTML    template.HTML
	Error   string
}

// handleMessagePreview renders a message step for one customer into the
// builder's preview frame. The answer runs no script and reaches nothing
// (a sandbox with no origin), so the template's HTML can be shown as it is
// written; only the builder's own frame may show it.
func (d *Dashboard) handleMessagePreview(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	s := sessionFrom(r)
	var data PreviewData
	if !s.actor.Can(touchpoint.PermJourneysWrite) {
		w.WriteHeader(http.StatusForbidden)
		data.Error = touchpoint.ErrorMessage(touchpoint.Forbidden(s.actor, touchpoint.PermJourneysWrite))
	} else {
		req := touchpoint.MessagePreviewRequest{Profile: strings.TrimSpace(r.PostFormValue("profile")), JourneyID: r.PostFormValue("journey_id")}
		err := json.Unmarshal([]byte(r.PostFormValue("node")), &req.Node)
		if err != nil {
			err = touchpoint.FieldError("node", "not a journey step: %s", err.Error())
		} else if name := strings.TrimSpace(r.PostFormValue("event")); name != "" {
			req.Event = &touchpoint.DryRunEvent{Name: name}
		}
		if err == nil {
			data.Preview, err = d.cfg.Orchestrator.PreviewMessage(r.Context(), s.actor.Workspace, req)
		}
		if err != nil {
			if touchpoint.ErrorCode(err) == touchpoint.EINTERNAL {
				d.logger.Error("message preview", "err", err)
			}
			data.Error = touchpoint.ErrorMessage(err)
		} else {
			// The HTML was rendered by html/template from a template that
			// a journeys:write user wrote; the data in it is escaped.
			data.HTML = template.HTML(data.Preview.HTML)
		}
	}
	if err := messagePreviewPage.Execute(w, data); err != nil {
		d.logger.Error("render message preview", "err", err)
	}
}
