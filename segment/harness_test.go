package segment_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	"github.com/touchpoint-cx/touchpoint/feedback"
	"github.com/touchpoint-cx/touchpoint/identity"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/segment"
	"github.com/touchpoint-cx/touchpoint/sqlite"
	"github.com/touchpoint-cx/touchpoint/statetest"
)

// t0 is when every test starts.
var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// harness runs the pipeline a server runs, with real stores: the
// analytics store, identity resolution, the identity map feed, the
// feedback engine and the segments engine, fed batch by batch, with a
// clock the test moves. Events the segments engine appends are kept in
// log and fed back, as the log would, by pump.
type harness struct {
	t     *testing.T
	ctx   context.Context
	dir   string
	db    *sqlite.DB
	w     *duckdb.Warehouse
	ident *identity.Engine
	feed  *identity.Feed
	fb    *feedback.Engine
	eng   *segment.Engine
	svc   *segment.Service
	clock *statetest.Clock
	log   *recorder
	seq   uint64
	n     int
}

// recorder is the log as the segments engine sees it: it keeps what is
// appended, and can be told to fail.
type recorder struct {
	mu     sync.Mutex
	events []touchpoint.Event
	fail   error
}

func (r *recorder) Append(ctx context.Context, events []touchpoint.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.events = append(r.events, events...)
	return nil
}

func (r *recorder) take() []touchpoint.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func setup(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	h := &harness{t: t, ctx: ctx, dir: dir, clock: &statetest.Clock{T: t0}, log: &recorder{}}
	var err error
	if h.db, err = sqlite.Open(ctx, filepath.Join(dir, "state.db"), h.clock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.db.Close() })
	if err := h.db.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "default", Name: "Default"}); err != nil {
		t.Fatal(err)
	}
	if h.w, err = duckdb.Open(ctx, filepath.Join(dir, "analytics.duckdb")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.w.Close() })
	rules := touchpoint.DefaultIdentityRules()
	h.ident = identity.NewEngine(h.db, func(string) touchpoint.IdentityRules { return rules }, quiet())
	h.feed = identity.NewFeed(h.db, h.w, quiet())
	h.fb = feedback.NewEngine(h.db, h.w, lexicon{}, quiet())
	h.start()
	return h
}

// start makes a segments engine over the stores, as a process starting
// does.
func (h *harness) start() {
	h.eng = segment.NewEngine(segment.Config{Store: h.db, Analytics: h.w, Appender: h.log, Clock: h.clock, Logger: quiet()})
	h.svc = &segment.Service{Store: h.db, Estimator: h.w, Engine: h.eng, Clock: h.clock}
}

// lexicon reads sentiment from a few words.
type lexicon struct{}

func (lexicon) Analyze(ctx context.Context, workspace string, texts []string, lang string) ([]touchpoint.TextAnalysis, error) {
	out := make([]touchpoint.TextAnalysis, len(texts))
	for i, t := range texts {
		a := touchpoint.TextAnalysis{Language: "en", Sentiment: touchpoint.SentimentNeutral, Topics: []string{}}
		switch {
		case strings.Contains(t, "love"):
			a.Sentiment, a.Score = touchpoint.SentimentPositive, 0.8
		case strings.Contains(t, "broken"), strings.Contains(t, "late"):
			a.Sentiment, a.Score = touchpoint.SentimentNegative, -0.8
		}
		out[i] = a
	}
	return out, nil
}

// track makes a track event of a user at a time.
func track(user, event string, at time.Time, props string) touchpoint.Event {
	ev := touchpoint.Event{Type: touchpoint.TypeTrack, UserID: user, Event: event, Timestamp: at, Channel: "web"}
	if props != "" {
		ev.Properties = json.RawMessage(props)
	}
	return ev
}

// batch applies events as one log batch to every consumer, in the order a
// server's consumers reach it: analytics, identity, feedback, then the
// identity map feed and the segments engine.
func (h *harness) batch(evs ...touchpoint.Event) tplog.Batch {
	h.t.Helper()
	for i := range evs {
		ev := &evs[i]
		h.n++
		if ev.ID == "" {
			ev.ID = fmt.Sprintf("e%d", h.n)
		}
		if ev.Workspace == "" {
			ev.Workspace = "default"
		}
		if ev.ReceivedAt.IsZero() {
			ev.ReceivedAt = ev.Timestamp
		}
	}
	h.seq++
	b := tplog.Batch{Events: evs, LastSequence: h.seq}
	h.apply(b)
	return b
}

func (h *harness) apply(b tplog.Batch) {
	h.t.Helper()
	for _, apply := range []func(context.Context, tplog.Batch) error{h.w.Apply, h.ident.Apply, h.fb.Apply} {
		if err := apply(h.ctx, b); err != nil {
			h.t.Fatal(err)
		}
	}
	if err := h.feed.CatchUp(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	if err := h.eng.Apply(h.ctx, b); err != nil {
		h.t.Fatal(err)
	}
}

// pump feeds the events the engine appended back through the pipeline.
func (h *harness) pump() []touchpoint.Event {
	h.t.Helper()
	evs := h.log.take()
	if len(evs) > 0 {
		h.seq++
		h.apply(tplog.Batch{Events: slices.Clone(evs), LastSequence: h.seq})
	}
	return evs
}

func (h *harness) create(name string, c touchpoint.SegmentCondition) *touchpoint.Segment {
	h.t.Helper()
	s := &touchpoint.Segment{Workspace: "default", Name: name, Condition: c}
	if err := h.svc.CreateSegment(h.ctx, s); err != nil {
		h.t.Fatal(err)
	}
	h.refresh()
	return s
}

func (h *harness) refresh() {
	h.t.Helper()
	if err := h.eng.Refresh(h.ctx); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) sweep() {
	h.t.Helper()
	if err := h.eng.Sweep(h.ctx); err != nil {
		h.t.Fatal(err)
	}
}

// at moves the clock.
func (h *harness) at(t time.Time) { h.clock.T = t }

// users returns the user ids of a segment's members, as the state store
// has them, and checks that the analytics store's evaluation of the same
// definition at the same moment agrees.
func (h *harness) users(s *touchpoint.Segment) []string {
	h.t.Helper()
	ids, err := h.db.SegmentMemberIDs(h.ctx, "default", s.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	got := h.userIDs(ids)
	p, err := h.svc.Plan(h.ctx, "default", &s.Condition)
	if err != nil {
		h.t.Fatal(err)
	}
	sqlIDs, err := h.w.EvaluateSegment(h.ctx, "default", p, h.clock.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	want := h.userIDs(sqlIDs)
	if !slices.Equal(got, want) {
		h.t.Fatalf("segment %q: the engine has %v, the analytics store's evaluation %v\n%s", s.Name, got, want, duckdb.SegmentSQL("default", p, h.clock.Now()))
	}
	return got
}

// userIDs maps profile ids to their user ids (or anonymous ids), sorted.
func (h *harness) userIDs(profiles []string) []string {
	h.t.Helper()
	out := []string{}
	for _, id := range profiles {
		p, err := h.db.FindProfile(h.ctx, "default", touchpoint.Identifier{Kind: touchpoint.KindProfile, Value: id})
		if err != nil {
			h.t.Fatalf("member %s: %v", id, err)
		}
		name := p.ID
		for _, ident := range p.Identifiers {
			if ident.Kind == touchpoint.KindUserID {
				name = ident.Value
				break
			}
			// Platform events name an anonymous profile by its id, which
			// joins it as an anonymous id: the first one is the visitor's.
			if ident.Kind == touchpoint.KindAnonymousID && name == p.ID {
				name = ident.Value
			}
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// membershipEvents returns "user:entered" and "user:exited" for segment
// events appended since the last call, and feeds them to the pipeline.
func (h *harness) membershipEvents() []string {
	h.t.Helper()
	var out []string
	for _, ev := range h.pump() {
		var p struct {
			SegmentName string `json:"segment_name"`
		}
		json.Unmarshal(ev.Properties, &p)
		who := ev.UserID
		if who == "" {
			// The event names a profile without a user id by its id.
			who = h.userIDs([]string{ev.AnonymousID})[0]
		}
		out = append(out, p.SegmentName+":"+who+":"+strings.TrimPrefix(ev.Event, "segment."))
	}
	slices.Sort(out)
	return out
}

func expect[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if got == nil {
		got = []T{}
	}
	if want == nil {
		want = []T{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}
