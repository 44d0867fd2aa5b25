package journey_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/channel"
	"github.com/touchpoint-cx/touchpoint/identity"
	"github.com/touchpoint-cx/touchpoint/journey"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/sqlite"
	"github.com/touchpoint-cx/touchpoint/statetest"
)

const ws = "default"

// memLog is a working in-memory log: what is appended is kept in order
// and can be fed back to the consumers, as the real log would.
type memLog struct {
	mu     sync.Mutex
	events []touchpoint.Event
	fed    int
}

func (l *memLog) Append(_ context.Context, evs []touchpoint.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, evs...)
	return nil
}

func (l *memLog) named(name string) []touchpoint.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []touchpoint.Event
	seen := map[string]bool{}
	for _, ev := range l.events {
		if (ev.Event == name || (name == "identify" && ev.Type == touchpoint.TypeIdentify)) && !seen[ev.ID] {
			seen[ev.ID] = true
			out = append(out, ev)
		}
	}
	return out
}

// recorder is a channel that keeps what it is asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []*channel.Message
	fail error
}

func (r *recorder) Send(_ context.Context, m *channel.Message) (channel.Receipt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return channel.Receipt{}, r.fail
	}
	r.sent = append(r.sent, m)
	return channel.Receipt{ProviderID: "rec-" + m.ID}, nil
}

func (r *recorder) messages() []*channel.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*channel.Message{}, r.sent...)
}

type bundle struct {
	t      *testing.T
	ctx    context.Context
	db     *sqlite.DB
	path   string
	clock  *statetest.Clock
	log    *memLog
	ident  *identity.Engine
	eng    *journey.Engine
	disp   *journey.Dispatcher
	email  *recorder
	sms    *recorder
	seq    uint64
	nextID int
}

var start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday, 10:00 UTC

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{t: t, ctx: context.Background(), clock: &statetest.Clock{T: start}, log: &memLog{}, email: &recorder{}, sms: &recorder{},
		path: filepath.Join(t.TempDir(), "state.db")}
	b.open()
	if err := b.db.CreateWorkspace(b.ctx, &touchpoint.Workspace{ID: ws, Name: "Default"}); err != nil {
		t.Fatal(err)
	}
	// No quiet hours and no budget unless a test sets them.
	s := touchpoint.DefaultMessagingSettings()
	s.QuietHours, s.Budget, s.OptInChannels = touchpoint.QuietHours{}, touchpoint.ContactBudget{}, nil
	b.settings(s)
	return b
}

// open opens the state store and builds the engines on it, as a process
// start does.
func (b *bundle) open() {
	t := b.t
	db, err := sqlite.Open(b.ctx, b.path, b.clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b.db = db
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.ident = identity.NewEngine(db, func(string) touchpoint.IdentityRules { return touchpoint.DefaultIdentityRules() }, logger)
	b.eng = journey.NewEngine(journey.Config{Store: db, Profiles: db, Appender: b.log, Clock: b.clock, Logger: logger, PublicURL: "https://cx.example"})
	reg := channel.NewRegistry()
	reg.Register(touchpoint.ChannelEmail, b.email)
	reg.Register(touchpoint.ChannelSMS, b.sms)
	reg.Register(touchpoint.ChannelInApp, &channel.InApp{Store: db})
	reg.Register(touchpoint.ChannelWebhook, channel.NewWebhook(5*time.Second))
	b.disp = journey.NewDispatcher(journey.DispatcherConfig{Store: db, Profiles: db, Appender: b.log, Channels: reg, Clock: b.clock, Logger: logger,
		PublicURL: "https://cx.example", RetryInitial: time.Minute, MaxAttempts: 3})
}

func (b *bundle) settings(s touchpoint.MessagingSettings) {
	if err := b.db.SetMessagingSettings(b.ctx, ws, s); err != nil {
		b.t.Fatal(err)
	}
}

// apply hands events to identity resolution and then to the journey
// engine, as one log batch, then feeds back what the engine appended.
func (b *bundle) apply(evs ...touchpoint.Event) {
	b.t.Helper()
	for len(evs) > 0 {
		b.seq++
		batch := tplog.Batch{Events: evs, LastSequence: b.seq}
		if err := b.ident.Apply(b.ctx, batch); err != nil {
			b.t.Fatal(err)
		}
		if err := b.eng.Apply(b.ctx, batch); err != nil {
			b.t.Fatal(err)
		}
		b.log.mu.Lock()
		evs = append([]touchpoint.Event{}, b.log.events[b.log.fed:]...)
		b.log.fed = len(b.log.events)
		b.log.mu.Unlock()
	}
}

func (b *bundle) track(user, name string, props map[string]any) touchpoint.Event {
	b.nextID++
	raw, _ := json.Marshal(props)
	return touchpoint.Event{ID: fmt.Sprintf("ev%d", b.nextID), Workspace: ws, Type: touchpoint.TypeTrack, Event: name, UserID: user,
		Properties: raw, Timestamp: b.clock.T, ReceivedAt: b.clock.T, Channel: "web"}
}

func (b *bundle) identify(user string, traits map[string]any) touchpoint.Event {
	b.nextID++
	raw, _ := json.Marshal(traits)
	return touchpoint.Event{ID: fmt.Sprintf("ev%d", b.nextID), Workspace: ws, Type: touchpoint.TypeIdentify, UserID: user,
		Traits: raw, Timestamp: b.clock.T, ReceivedAt: b.clock.T, Channel: "web"}
}

// publish saves a YAML journey and publishes it.
func (b *bundle) publish(src string) *touchpoint.JourneyVersion {
	b.t.Helper()
	doc, err := touchpoint.DecodeJourney([]byte(src))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := doc.Validate(b.ctx, ws, nil); err != nil {
		b.t.Fatalf("validate: %v", err)
	}
	if err := b.db.SaveJourney(b.ctx, &touchpoint.Journey{ID: doc.ID, Workspace: ws, Draft: doc.JourneyDefinition, UpdatedBy: "test"}); err != nil {
		b.t.Fatal(err)
	}
	v, err := b.db.PublishJourney(b.ctx, ws, doc.ID, "test")
	if err != nil {
		b.t.Fatal(err)
	}
	b.eng.Forget()
	return v
}

func (b *bundle) advance(d time.Duration) {
	b.t.Helper()
	b.clock.T = b.clock.T.Add(d)
	if _, err := b.eng.FireDue(b.ctx); err != nil {
		b.t.Fatal(err)
	}
	b.dispatch()
	b.apply() // feed back what the timers appended
}

func (b *bundle) dispatch() {
	b.t.Helper()
	if _, err := b.disp.DispatchDue(b.ctx); err != nil {
		b.t.Fatal(err)
	}
}

func (b *bundle) enrolments(journeyID string) []*touchpoint.Enrolment {
	b.t.Helper()
	es, err := b.db.FindEnrolments(b.ctx, touchpoint.EnrolmentFilter{Workspace: ws, JourneyID: &journeyID, Limit: 1000})
	if err != nil {
		b.t.Fatal(err)
	}
	return es
}

func (b *bundle) stats(journeyID string, v int) *touchpoint.JourneyStats {
	b.t.Helper()
	st, err := b.db.JourneyStats(b.ctx, ws, journeyID, v)
	if err != nil {
		b.t.Fatal(err)
	}
	return st
}

func (b *bundle) deliveries(status string) []*touchpoint.Delivery {
	b.t.Helper()
	ds, err := b.db.FindDeliveries(b.ctx, touchpoint.DeliveryFilter{Workspace: ws, Status: &status, Limit: 1000})
	if err != nil {
		b.t.Fatal(err)
	}
	return ds
}

const cartJourney = `
id: cart
name: Abandoned cart
entry:
  type: event
  event: Cart Abandoned
  conditions: event.properties.value > 50
  next: wait
nodes:
  - id: wait
    type: wait
    duration: 1h
    next: mail
  - id: mail
    type: email
    message:
      subject: "{{.profile.traits.first_name | default \"Hi\"}}, your cart of {{.event.properties.value}} is waiting"
      html: "<p>Hello {{.profile.traits.first_name}}</p><p><a href=\"https://shop.example/cart\">Back to your cart</a></p><p><a href=\"{{.unsubscribe_url}}\">Unsubscribe</a></p>"
goal:
  event: Order Completed
`

func TestEventEntryWaitAndEmail(t *testing.T) {
	b := setup(t)
	v := b.publish(cartJourney)
	b.apply(b.identify("ana", map[string]any{"email": "Ana@Example.com", "first_name": "Ana"}))
	b.apply(b.track("ana", "Cart Abandoned", map[string]any{"value": 10}))
	if got := b.enrolments("cart"); len(got) != 0 {
		t.Fatalf("a cart of 10 fails the conditions but enrolled %d", len(got))
	}
	b.apply(b.track("ana", "Cart Abandoned", map[string]any{"value": 80}))
	es := b.enrolments("cart")
	if len(es) != 1 || es[0].NodeID != "wait" || es[0].WakeAt == nil || !es[0].WakeAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("enrolments %+v", es)
	}
	b.advance(59 * time.Minute)
	if len(b.email.messages()) != 0 {
		t.Fatal("email sent before the wait ended")
	}
	b.advance(time.Minute)
	msgs := b.email.messages()
	if len(msgs) != 1 {
		t.Fatalf("sent %d emails, want 1", len(msgs))
	}
	m := msgs[0]
	if m.To != "ana@example.com" || m.Subject != "Ana, your cart of 80 is waiting" || !strings.Contains(m.HTML, "Hello Ana") {
		t.Fatalf("email %+v", m)
	}
	if !strings.HasPrefix(m.UnsubscribeURL, "https://cx.example/u/") || !strings.Contains(m.HTML, m.UnsubscribeURL) {
		t.Fatalf("unsubscribe link %q not in %q", m.UnsubscribeURL, m.HTML)
	}
	// The path has ended, but the goal still counts for 30 days.
	if es := b.enrolments("cart"); es[0].Status != touchpoint.EnrolmentActive || es[0].NodeID != journey.GoalNodeID {
		t.Fatalf("enrolment %+v", es[0])
	}
	b.advance(30 * 24 * time.Hour)
	if es := b.enrolments("cart"); es[0].Status != touchpoint.EnrolmentCompleted {
		t.Fatalf("enrolment %+v", es[0])
	}
	st := b.stats("cart", v.Version)
	if st.Nodes["entry"].Entered != 1 || st.Nodes["wait"].Passed["next"] != 1 || st.Nodes["mail"].Sent != 1 || st.Enrolled != 1 {
		t.Fatalf("stats %+v %+v %+v", st.Nodes["entry"], st.Nodes["wait"], st.Nodes["mail"])
	}
	for _, name := range []string{"journey.entered", "journey.step", "journey.exited", "message.sent"} {
		if len(b.log.named(name)) == 0 {
			t.Errorf("no %s event in the log", name)
		}
	}
	sent := b.log.named("message.sent")[0]
	if sent.UserID != "ana" || sent.Channel != "email" || !strings.Contains(string(sent.Properties), `"journey_id":"cart"`) {
		t.Fatalf("message.sent %+v %s", sent, sent.Properties)
	}

	t.Run("ReplayedEventEnrolsOnce", func(t *testing.T) {
		ev := b.track("ana", "Cart Abandoned", map[string]any{"value": 99})
		b.apply(ev)
		b.apply(ev)
		// Re-entry is "never" by default: Ana is not enrolled again at all.
		if n := len(b.enrolments("cart")); n != 1 {
			t.Fatalf("%d enrolments", n)
		}
	})
}

func TestWaitForEvent(t *testing.T) {
	b := setup(t)
	b.publish(`
id: onboarding
name: Onboarding
entry: {type: event, event: Signed Up, next: wait}
nodes:
  - {id: wait, type: wait, event: Profile Completed, conditions: 'event.properties.percent >= 100', timeout: 2d, next: thanks, timeout_next: nudge}
  - {id: thanks, type: sms, message: {text: "Thanks {{.profile.traits.first_name}}!"}}
  - {id: nudge, type: sms, message: {text: "Finish your profile"}}
`)
	for _, u := range []string{"u1", "u2"} {
		b.apply(b.identify(u, map[string]any{"phone": "+14155550100", "first_name": strings.ToUpper(u)}))
		b.apply(b.track(u, "Signed Up", nil))
	}
	b.advance(time.Hour)
	b.apply(b.track("u1", "Profile Completed", map[string]any{"percent": 50}))
	b.apply(b.track("u1", "Profile Completed", map[string]any{"percent": 100}))
	b.dispatch()
	if msgs := b.sms.messages(); len(msgs) != 1 || msgs[0].Text != "Thanks U1!" || msgs[0].To != "+14155550100" {
		t.Fatalf("after the event: %+v", msgs)
	}
	b.advance(46 * time.Hour)
	if n := len(b.sms.messages()); n != 1 {
		t.Fatalf("timeout fired early: %d", n)
	}
	b.advance(time.Hour)
	msgs := b.sms.messages()
	if len(msgs) != 2 || msgs[1].Text != "Finish your profile" {
		t.Fatalf("after the timeout: %+v", msgs)
	}
	st := b.stats("onboarding", 1)
	if st.Nodes["wait"].Passed["next"] != 1 || st.Nodes["wait"].Passed["timeout"] != 1 {
		t.Fatalf("wait stats %+v", st.Nodes["wait"])
	}
}

func TestBranchOnProfileAndEvent(t *testing.T) {
	b := setup(t)
	b.publish(`
id: nps
name: NPS follow-up
entry: {type: feedback, survey_type: nps, score_max: 6, next: route}
nodes:
  - id: route
    type: branch
    branches:
      - {name: vip, when: 'profile.computed.revenue >= 1000', next: call}
      - {name: angry, when: 'event.properties.score <= 3', next: sorry}
    else: tag
  - {id: call, type: list, list: vip-callback, op: add}
  - {id: sorry, type: update_trait, traits: {needs_attention: 'true', last_detractor_score: 'event.properties.score'}}
  - {id: tag, type: exit}
`)
	b.apply(b.track("rich", "Order Completed", map[string]any{"revenue": 1500}))
	for _, c := range []struct {
		user  string
		score float64
	}{{"rich", 5}, {"angry", 2}, {"meh", 6}, {"fan", 9}} {
		b.apply(b.track(c.user, "Survey Responded", map[string]any{"survey_type": "nps", "score": c.score}))
	}
	st := b.stats("nps", 1)
	if p := st.Nodes["route"].Passed; p["vip"] != 1 || p["angry"] != 1 || p["else"] != 1 || st.Enrolled != 3 {
		t.Fatalf("branch stats %+v, enrolled %d (the promoter must not enter)", p, st.Enrolled)
	}
	rich, err := b.db.FindProfile(b.ctx, ws, touchpoint.Identifier{Kind: "user_id", Value: "rich"})
	if err != nil {
		t.Fatal(err)
	}
	if ms, err := b.db.ListMembers(b.ctx, ws, "vip-callback", "", 10); err != nil || len(ms) != 1 || ms[0].ProfileID != rich.ID {
		t.Fatalf("vip-callback list %+v %v, want %s", ms, err, rich.ID)
	}
	ids := b.log.named("identify")
	if len(ids) != 1 || !strings.Contains(string(ids[0].Traits), `"last_detractor_score":2`) || ids[0].UserID != "angry" {
		t.Fatalf("trait update events %+v", ids)
	}
	p, err := b.db.FindProfile(b.ctx, ws, touchpoint.Identifier{Kind: "user_id", Value: "angry"})
	if err != nil || string(p.Traits["needs_attention"]) != "true" {
		t.Fatalf("identity did not apply the trait update: %v %v", p, err)
	}
}

func TestSplitHoldoutAndGoal(t *testing.T) {
	b := setup(t)
	b.publish(`
id: promo
name: Promo
entry: {type: event, event: Visited, next: ab}
nodes:
  - id: ab
    type: split
    arms:
      - {name: a, weight: 45, next: mail}
      - {name: b, weight: 45, next: mail}
      - {name: holdout, weight: 10, holdout: true}
  - {id: mail, type: email, message: {subject: Offer, text: "10% off"}}
goal: {event: Order Completed, within: 7d}
`)
	const n = 600
	var evs []touchpoint.Event
	for i := 0; i < n; i++ {
		u := fmt.Sprintf("c%d", i)
		evs = append(evs, b.identify(u, map[string]any{"email": u + "@example.com"}), b.track(u, "Visited", nil))
	}
	b.apply(evs...)
	b.dispatch()
	arms := map[string]int{}
	for _, e := range b.enrolments("promo") {
		arms[e.Arm]++
	}
	if arms["ab:holdout"] < 30 || arms["ab:holdout"] > 100 || arms["ab:a"] < 220 || arms["ab:b"] < 220 {
		t.Fatalf("arms %v for weights 45/45/10", arms)
	}
	if got := len(b.email.messages()); got != n-arms["ab:holdout"] {
		t.Fatalf("%d emails for %d customers outside the holdout", got, n-arms["ab:holdout"])
	}
	// Everyone in arm a converts; a few in the holdout do; none in b.
	var orders []touchpoint.Event
	held := 0
	for _, e := range b.enrolments("promo") {
		p, _ := b.db.FindProfile(b.ctx, ws, touchpoint.Identifier{Kind: "profile", Value: e.ProfileID})
		var user string
		for _, id := range p.Identifiers {
			if id.Kind == touchpoint.KindUserID {
				user = id.Value
			}
		}
		if e.Arm == "ab:a" || (e.Arm == "ab:holdout" && held < 3) {
			if e.Arm == "ab:holdout" {
				held++
			}
			orders = append(orders, b.track(user, "Order Completed", map[string]any{"revenue": 20}))
		}
	}
	b.advance(24 * time.Hour)
	b.apply(orders...)
	st := b.stats("promo", 1)
	split := st.Splits["ab"]
	if split == nil || len(split.Arms) != 3 {
		t.Fatalf("split stats %+v", st.Splits)
	}
	a, bb, h := split.Arms[0], split.Arms[1], split.Arms[2]
	if a.Rate != 1 || bb.Converted != 0 || h.Converted != 3 || !h.Holdout {
		t.Fatalf("arms %+v %+v %+v", a, bb, h)
	}
	if a.Uplift == nil || a.PValue == nil || !a.Significant || *a.Z <= 0 {
		t.Fatalf("arm a against the holdout: %+v", a)
	}
	if bb.Significant && *bb.Z > 0 {
		t.Fatalf("arm b: %+v", bb)
	}
	if !strings.Contains(split.Test, "two-proportion z-test") {
		t.Fatalf("test %q", split.Test)
	}
	if st.Converted != int64(arms["ab:a"]+3) {
		t.Fatalf("converted %d", st.Converted)
	}
	// The holdout is watched for the goal window, then leaves.
	b.advance(7 * 24 * time.Hour)
	if st := b.stats("promo", 1); st.Active != 0 {
		t.Fatalf("%d still active after the goal window", st.Active)
	}
}

func TestReentry(t *testing.T) {
	for _, tt := range []struct {
		policy string
		want   int
	}{
		{"reentry: never", 1},
		{"reentry: after_exit", 2},
		{"reentry: always", 3},
		{"reentry: always\n  max_entries: 2", 2},
		{"reentry: always\n  reentry_after: 2h", 2},
	} {
		t.Run(strings.ReplaceAll(tt.policy, "\n", ""), func(t *testing.T) {
			b := setup(t)
			b.publish(`
id: r
name: Re-entry
entry:
  type: event
  event: Ping
  ` + tt.policy + `
  next: w
nodes:
  - {id: w, type: wait, duration: 1h}
`)
			b.apply(b.track("x", "Ping", nil))
			b.clock.T = b.clock.T.Add(30 * time.Minute)
			b.apply(b.track("x", "Ping", nil)) // still inside
			b.advance(2 * time.Hour)           // the first run has ended
			b.apply(b.track("x", "Ping", nil))
			if got := len(b.enrolments("r")); got != tt.want {
				t.Fatalf("%d enrolments, want %d", got, tt.want)
			}
		})
	}
}

func TestRulesAcrossJourneys(t *testing.T) {
	three := `
id: %s
name: Three messages
entry: {type: event, event: Go, next: m1}
nodes:
  - {id: m1, type: email, next: m2, message: {subject: one, text: one}}
  - {id: m2, type: email, next: m3, message: {subject: two, text: two}}
  - {id: m3, type: sms, message: {text: three}}
`
	t.Run("ContactBudget", func(t *testing.T) {
		b := setup(t)
		s := touchpoint.DefaultMessagingSettings()
		s.QuietHours, s.OptInChannels = touchpoint.QuietHours{}, nil
		s.Budget = touchpoint.ContactBudget{Max: 4, Per: touchpoint.Duration(7 * 24 * time.Hour)}
		b.settings(s)
		b.publish(fmt.Sprintf(three, "j1"))
		b.publish(fmt.Sprintf(three, "j2"))
		b.apply(b.identify("x", map[string]any{"email": "x@example.com", "phone": "+14155550101"}))
		b.apply(b.track("x", "Go", nil))
		b.dispatch()
		if got := len(b.email.messages()) + len(b.sms.messages()); got != 4 {
			t.Fatalf("%d messages sent across two journeys, budget is 4", got)
		}
		skipped := b.deliveries(touchpoint.DeliverySkipped)
		if len(skipped) != 2 || !strings.Contains(skipped[0].LastError, "contact budget") {
			t.Fatalf("skipped %+v", skipped)
		}
		// A week later the budget is free again.
		b.clock.T = b.clock.T.Add(8 * 24 * time.Hour)
		b.publish(fmt.Sprintf(three, "j3"))
		b.apply(b.track("x", "Go", nil))
		b.dispatch()
		if got := len(b.email.messages()) + len(b.sms.messages()); got != 7 {
			t.Fatalf("%d messages after the window, want 7", got)
		}
	})
	t.Run("QuietHours", func(t *testing.T) {
		b := setup(t)
		s := touchpoint.DefaultMessagingSettings()
		s.Budget, s.OptInChannels = touchpoint.ContactBudget{}, nil
		s.QuietHours = touchpoint.QuietHours{Start: "21:00", End: "08:00"}
		b.settings(s)
		b.publish(`
id: q
name: Quiet
entry: {type: event, event: Go, next: m}
nodes:
  - {id: m, type: email, message: {subject: hi, text: hi}}
`)
		// 10:00 UTC is 17:00 in Ho Chi Minh City: sent at once.
		b.apply(b.identify("vn", map[string]any{"email": "vn@example.com", "timezone": "Asia/Ho_Chi_Minh"}))
		// 10:00 UTC is 23:00 in Auckland: held until 08:00 there.
		b.apply(b.identify("nz", map[string]any{"email": "nz@example.com", "timezone": "Pacific/Auckland"}))
		b.apply(b.track("vn", "Go", nil), b.track("nz", "Go", nil))
		b.dispatch()
		if msgs := b.email.messages(); len(msgs) != 1 || msgs[0].To != "vn@example.com" {
			t.Fatalf("sent %+v", msgs)
		}
		pending := b.deliveries(touchpoint.DeliveryPending)
		auckland, _ := time.LoadLocation("Pacific/Auckland")
		if len(pending) != 1 || pending[0].NextAt.In(auckland).Hour() != 8 {
			t.Fatalf("held %+v", pending)
		}
		b.advance(8*time.Hour + 59*time.Minute) // 07:59 in Auckland
		if len(b.email.messages()) != 1 {
			t.Fatal("sent during quiet hours")
		}
		b.advance(time.Minute)
		if len(b.email.messages()) != 2 {
			t.Fatal("not sent when quiet hours ended")
		}
	})
	t.Run("ConsentAndSuppression", func(t *testing.T) {
		b := setup(t)
		s := touchpoint.DefaultMessagingSettings()
		s.Budget, s.QuietHours = touchpoint.ContactBudget{}, touchpoint.QuietHours{}
		s.OptInChannels = []string{touchpoint.ChannelSMS}
		b.settings(s)
		b.publish(fmt.Sprintf(three, "j"))
		for _, u := range []string{"out", "optin", "supp"} {
			b.apply(b.identify(u, map[string]any{"email": u + "@example.com", "phone": "+1415555010" + fmt.Sprint(len(u))}))
		}
		pid := func(u string) string {
			p, err := b.db.FindProfile(b.ctx, ws, touchpoint.Identifier{Kind: "user_id", Value: u})
			if err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		if _, err := b.eng.RecordConsent(b.ctx, &touchpoint.Consent{Workspace: ws, ProfileID: pid("out"), Channel: "email", Status: "unsubscribed", Source: "api"}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.eng.RecordConsent(b.ctx, &touchpoint.Consent{Workspace: ws, ProfileID: pid("optin"), Channel: "sms", Status: "subscribed", Source: "preference_centre"}); err != nil {
			t.Fatal(err)
		}
		if err := b.db.AddSuppression(b.ctx, &touchpoint.Suppression{Workspace: ws, Kind: "email", Value: "SUPP@example.com", Reason: "hard bounce"}); err != nil {
			t.Fatal(err)
		}
		b.apply(b.track("out", "Go", nil), b.track("optin", "Go", nil), b.track("supp", "Go", nil))
		b.dispatch()
		var got []string
		for _, m := range append(b.email.messages(), b.sms.messages()...) {
			got = append(got, m.To)
		}
		// out: no email (unsubscribed), no SMS (no opt-in). optin: both
		// emails and the SMS. supp: no email (suppressed), no SMS.
		if strings.Join(got, " ") != "optin@example.com optin@example.com +14155550105" {
			t.Fatalf("sent to %v", got)
		}
		if len(b.log.named("consent.changed")) != 2 {
			t.Fatalf("consent events %d", len(b.log.named("consent.changed")))
		}
		reasons := map[string]int{}
		for _, d := range b.deliveries(touchpoint.DeliverySkipped) {
			reasons[d.LastError]++
		}
		if reasons["unsubscribed from email"] != 2 || reasons["email address suppressed"] != 2 || reasons["no opt-in for sms"] != 2 {
			t.Fatalf("skip reasons %v", reasons)
		}
	})
}

func TestVersionsAndStop(t *testing.T) {
	b := setup(t)
	src := `
id: v
name: Versions
entry: {type: event, event: Go, next: w}
nodes:
  - {id: w, type: wait, duration: 1d, next: m}
  - {id: m, type: email, message: {subject: "%s", text: x}}
`
	b.publish(fmt.Sprintf(src, "first"))
	b.apply(b.identify("old", map[string]any{"email": "old@example.com"}), b.identify("new", map[string]any{"email": "new@example.com"}))
	b.apply(b.track("old", "Go", nil))
	b.publish(fmt.Sprintf(src, "second"))
	b.apply(b.track("new", "Go", nil))
	b.advance(25 * time.Hour)
	subjects := map[string]string{}
	for _, m := range b.email.messages() {
		subjects[m.To] = m.Subject
	}
	if subjects["old@example.com"] != "first" || subjects["new@example.com"] != "second" {
		t.Fatalf("customers must finish the version they entered: %v", subjects)
	}

	b.apply(b.identify("late", map[string]any{"email": "late@example.com"}))
	b.apply(b.track("late", "Go", nil))
	if _, err := b.db.StopJourney(b.ctx, ws, "v", "test"); err != nil {
		t.Fatal(err)
	}
	b.eng.Forget()
	b.apply(b.track("other", "Go", nil))
	b.advance(25 * time.Hour)
	if len(b.email.messages()) != 2 {
		t.Fatal("a stopped journey sent a message")
	}
	for _, e := range b.enrolments("v") {
		if e.Status == touchpoint.EnrolmentActive {
			t.Fatalf("enrolment still active after stop: %+v", e)
		}
	}
	if n := len(b.enrolments("v")); n != 3 {
		t.Fatalf("%d enrolments: a stopped journey enrolled someone", n)
	}
}

// TestTimersAfterRestart closes the store with timers pending and opens it
// again much later: late timers fire at once.
func TestTimersAfterRestart(t *testing.T) {
	b := setup(t)
	b.publish(cartJourney)
	var evs []touchpoint.Event
	for i := 0; i < 50; i++ {
		u := fmt.Sprintf("r%d", i)
		evs = append(evs, b.identify(u, map[string]any{"email": u + "@example.com"}), b.track(u, "Cart Abandoned", map[string]any{"value": 60}))
	}
	b.apply(evs...)
	b.db.Close()
	b.clock.T = b.clock.T.Add(5 * time.Hour)
	b.open()
	n, err := b.eng.FireDue(b.ctx)
	if err != nil || n != 50 {
		t.Fatalf("fired %d, %v", n, err)
	}
	b.dispatch()
	if got := len(b.email.messages()); got != 50 {
		t.Fatalf("%d emails after restart", got)
	}
}

func TestDeliveryRetriesAndDeadLetter(t *testing.T) {
	b := setup(t)
	b.publish(cartJourney)
	b.email.fail = channel.Retry(0, fmt.Errorf("connection refused"))
	b.apply(b.identify("d", map[string]any{"email": "d@example.com"}))
	b.apply(b.track("d", "Cart Abandoned", map[string]any{"value": 60}))
	b.advance(time.Hour)
	p := b.deliveries(touchpoint.DeliveryPending)
	if len(p) != 1 || p[0].Attempts != 1 || !p[0].NextAt.Equal(b.clock.T.Add(time.Minute)) {
		t.Fatalf("after one failure %+v", p)
	}
	b.advance(time.Minute) // second attempt; the next waits 4 minutes
	b.advance(3 * time.Minute)
	if p := b.deliveries(touchpoint.DeliveryPending); len(p) != 1 || p[0].Attempts != 2 {
		t.Fatalf("backoff not respected: %+v", p)
	}
	b.advance(time.Minute)
	dead := b.deliveries(touchpoint.DeliveryDead)
	if len(dead) != 1 || dead[0].Attempts != 3 || !strings.Contains(dead[0].LastError, "connection refused") {
		t.Fatalf("dead letters %+v", dead)
	}
	if st := b.stats("cart", 1); st.Nodes["mail"].Failed != 1 {
		t.Fatalf("failed count %+v", st.Nodes["mail"])
	}
	if len(b.log.named("message.failed")) != 1 {
		t.Fatal("no message.failed event")
	}
	// Put back in line by hand, it goes out.
	b.email.fail = nil
	if _, err := b.db.RetryDelivery(b.ctx, ws, dead[0].ID); err != nil {
		t.Fatal(err)
	}
	b.dispatch()
	if len(b.email.messages()) != 1 {
		t.Fatal("retried dead letter not sent")
	}

	t.Run("PermanentFailureIsDeadAtOnce", func(t *testing.T) {
		b.email.fail = channel.Abortf("550 no such user")
		b.apply(b.identify("e", map[string]any{"email": "e@example.com"}))
		b.apply(b.track("e", "Cart Abandoned", map[string]any{"value": 60}))
		b.advance(time.Hour)
		if dead := b.deliveries(touchpoint.DeliveryDead); len(dead) != 1 || dead[0].Attempts != 1 {
			t.Fatalf("dead %+v", dead)
		}
	})
}

func TestSurveyAndInApp(t *testing.T) {
	b := setup(t)
	b.publish(`
id: csat
name: CSAT after support
entry: {type: event, event: Ticket Solved, next: ask}
nodes:
  - id: ask
    type: survey
    survey_id: srv_csat
    channel: in_app
    timeout: 3d
    next: thanks
    timeout_next: remind
    message: {title: "How did we do?", text: "Tell us: {{.survey_url}}"}
  - {id: thanks, type: in_app, message: {title: Thanks!}}
  - {id: remind, type: email, message: {subject: Reminder, text: "{{.survey_url}}"}}
`)
	b.apply(b.identify("s", map[string]any{"email": "s@example.com"}))
	b.apply(b.track("s", "Ticket Solved", nil))
	b.dispatch()
	msgs, err := b.eng.InApp(b.ctx, ws, touchpoint.Identifier{Kind: "user_id", Value: "s"})
	if err != nil || len(msgs) != 1 || !strings.Contains(msgs[0].Body, "https://cx.example/s/srv_csat?m=") {
		t.Fatalf("in-app %+v %v", msgs, err)
	}
	if len(b.log.named("message.delivered")) != 1 {
		t.Fatal("fetching the message must record message.delivered")
	}
	if err := b.eng.SeenInApp(b.ctx, ws, touchpoint.Identifier{Kind: "user_id", Value: "s"}, msgs[0].ID); err != nil {
		t.Fatal(err)
	}
	if again, _ := b.eng.InApp(b.ctx, ws, touchpoint.Identifier{Kind: "user_id", Value: "s"}); len(again) != 0 {
		t.Fatalf("seen message served again: %+v", again)
	}
	// An answer to another survey does not count; this one does.
	b.apply(b.track("s", "Survey Responded", map[string]any{"survey_id": "other", "score": 5}))
	b.apply(b.track("s", "Survey Responded", map[string]any{"survey_id": "srv_csat", "score": 5}))
	b.dispatch()
	msgs, _ = b.eng.InApp(b.ctx, ws, touchpoint.Identifier{Kind: "user_id", Value: "s"})
	if len(msgs) != 1 || msgs[0].Title != "Thanks!" {
		t.Fatalf("after the answer %+v", msgs)
	}
	if st := b.stats("csat", 1); st.Nodes["ask"].Passed["next"] != 1 || st.Nodes["ask"].Delivered != 1 {
		t.Fatalf("survey stats %+v", st.Nodes["ask"])
	}
}

func TestDateEntry(t *testing.T) {
	b := setup(t)
	b.publish(`
id: renewal
name: Renewal reminder
entry: {type: date, trait: renewal_date, offset: -30d, time_of_day: "09:00", next: m}
nodes:
  - {id: m, type: email, message: {subject: "Renewal on {{.profile.traits.renewal_date}}", text: x}}
`)
	b.apply(b.identify("due", map[string]any{"email": "due@example.com", "renewal_date": "2026-12-24", "timezone": "Europe/Paris"}))
	b.apply(b.identify("later", map[string]any{"email": "later@example.com", "renewal_date": "2027-02-01"}))
	b.clock.T = time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)
	n, err := b.eng.RunDates(b.ctx)
	if err != nil || n != 1 {
		t.Fatalf("enrolled %d, %v", n, err)
	}
	if n, _ := b.eng.RunDates(b.ctx); n != 0 {
		t.Fatal("the same day enrolled twice")
	}
	b.advance(time.Hour + 59*time.Minute) // 08:59 in Paris
	if len(b.email.messages()) != 0 {
		t.Fatal("sent before 09:00 local")
	}
	b.advance(time.Minute)
	if m := b.email.messages(); len(m) != 1 || m[0].To != "due@example.com" || m[0].Subject != "Renewal on 2026-12-24" {
		t.Fatalf("sent %+v", m)
	}
	for _, tt := range []struct {
		value  string
		offset time.Duration
		annual bool
		day    string
		want   bool
	}{
		{`"1990-11-24"`, 0, true, "2026-11-24", true},
		{`"1990-11-24T00:00:00Z"`, 0, true, "2026-11-24", true},
		{`"1992-02-29"`, 0, true, "2027-02-28", true},
		{`"2027-01-05"`, -30 * 24 * time.Hour, false, "2026-12-06", true},
		{`"1990-01-05"`, -30 * 24 * time.Hour, true, "2026-12-06", true},
		{`"1990-11-25"`, 0, true, "2026-11-24", false},
		{`"soon"`, 0, true, "2026-11-24", false},
	} {
		day, _ := time.Parse(time.DateOnly, tt.day)
		if got := journey.DateMatches(json.RawMessage(tt.value), tt.offset, tt.annual, day); got != tt.want {
			t.Errorf("DateMatches(%s, %s, %v, %s) = %v", tt.value, tt.offset, tt.annual, tt.day, got)
		}
	}
}

func TestEnrolAndDryRun(t *testing.T) {
	b := setup(t)
	v := b.publish(`
id: api
name: API entry
entry: {type: api, next: b}
nodes:
  - id: b
    type: branch
    branches: [{name: pro, when: 'profile.traits.plan == "pro"', next: w}]
    else: bye
  - {id: w, type: wait, event: Upgraded, timeout: 1d, next: m, timeout_next: bye}
  - {id: m, type: webhook, url: "https://hooks.example/upgraded"}
  - {id: bye, type: exit}
`)
	b.apply(b.identify("p", map[string]any{"plan": "pro", "email": "p@example.com"}))
	en, err := b.eng.Enrol(b.ctx, ws, "api", touchpoint.Identifier{Kind: "user_id", Value: "p"}, json.RawMessage(`{"source":"crm"}`))
	if err != nil || en.NodeID != "w" {
		t.Fatalf("enrol: %+v %v", en, err)
	}
	if _, err := b.eng.Enrol(b.ctx, ws, "api", touchpoint.Identifier{Kind: "user_id", Value: "p"}, nil); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
		t.Fatalf("second enrol: %v", err)
	}
	if _, err := b.eng.Enrol(b.ctx, ws, "api", touchpoint.Identifier{Kind: "user_id", Value: "nobody"}, nil); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		t.Fatalf("unknown profile: %v", err)
	}
	def := v.Definition
	run, err := b.eng.DryRun(b.ctx, ws, &def, touchpoint.DryRunRequest{Profile: "user_id:p", Happens: []string{"Upgraded"}})
	if err != nil {
		t.Fatal(err)
	}
	var path []string
	for _, s := range run.Steps {
		path = append(path, s.NodeID+":"+s.Port)
	}
	if strings.Join(path, " ") != "entry:next b:pro w:next m:next" || run.Outcome != "completed: the path ends" {
		t.Fatalf("dry run %v %s", path, run.Outcome)
	}
	run, err = b.eng.DryRun(b.ctx, ws, &def, touchpoint.DryRunRequest{Profile: "user_id:p"})
	if err != nil || run.Steps[2].Port != "timeout" || !run.Steps[2].At.Equal(b.clock.T.Add(24*time.Hour)) {
		t.Fatalf("dry run without the event: %+v %v", run, err)
	}
	if st := b.stats("api", 1); st.Enrolled != 1 || st.Nodes["w"].Waiting != 1 {
		t.Fatalf("a dry run must change nothing: %+v", st)
	}
}

func TestSegmentEntryAndExit(t *testing.T) {
	b := setup(t)
	b.publish(`
id: seg
name: Win back lapsed customers
entry: {type: segment_entered, segment_id: seg_lapsed, next: w}
nodes:
  - {id: w, type: wait, duration: 3d, next: m}
  - {id: m, type: email, message: {subject: We miss you, text: Come back}}
exits:
  - {event: segment.exited, conditions: 'event.properties.segment_id == "seg_lapsed"'}
`)
	for _, u := range []string{"stays", "leaves"} {
		b.apply(b.identify(u, map[string]any{"email": u + "@example.com"}))
		b.apply(b.track(u, "segment.entered", map[string]any{"segment_id": "seg_other"}))
		b.apply(b.track(u, "segment.entered", map[string]any{"segment_id": "seg_lapsed"}))
	}
	if n := len(b.enrolments("seg")); n != 2 {
		t.Fatalf("%d enrolments: only seg_lapsed enrols", n)
	}
	b.advance(time.Hour)
	b.apply(b.track("leaves", "segment.exited", map[string]any{"segment_id": "seg_other"}))
	b.apply(b.track("leaves", "segment.exited", map[string]any{"segment_id": "seg_lapsed"}))
	b.advance(3 * 24 * time.Hour)
	if m := b.email.messages(); len(m) != 1 || m[0].To != "stays@example.com" {
		t.Fatalf("sent %+v", m)
	}
	for _, e := range b.enrolments("seg") {
		if e.Status == touchpoint.EnrolmentExited && e.EndReason != "exit event segment.exited" {
			t.Fatalf("exit reason %q", e.EndReason)
		}
	}
}
