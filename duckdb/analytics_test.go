package duckdb_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	"github.com/touchpoint-cx/touchpoint/identity"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/segment"
)

// t0 is a Monday, so weekly cohorts start on it.
var t0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// fx is one hand-made event.
type fx struct {
	user, anon, event, channel string
	at                         time.Duration
	props                      string
}

// journeyFixture is a small history whose funnel, paths and map are
// worked out by hand in the tests below.
//
//	ana  A B C D, all within 2 days                       (web)
//	bob  A on a device before signing in, then B as bob   (web; one profile once identity_map links them)
//	cat  B A B C                                          (app)
//	dan  A C B                                            (app)
//	eve  A B C, appended newest first                     (web)
//	fay  A, then ten days later A B C D                   (web)
//	gus  A, B exactly seven days later                    (web)
//	hal  A, B seven days and a microsecond later          (web)
var journeyFixture = []fx{
	{user: "ana", event: "A", channel: "web", at: 0, props: `{"plan":"pro"}`},
	{user: "ana", event: "B", channel: "web", at: 10 * time.Minute},
	{user: "ana", event: "C", channel: "web", at: 30 * time.Minute},
	{user: "ana", event: "D", channel: "web", at: 48 * time.Hour},
	{anon: "dev-b", event: "A", channel: "web", at: 0},
	{user: "bob", anon: "dev-b", event: "B", channel: "web", at: 5 * time.Minute},
	{user: "cat", event: "B", channel: "app", at: 0},
	{user: "cat", event: "A", channel: "app", at: time.Hour},
	{user: "cat", event: "B", channel: "app", at: 2 * time.Hour},
	{user: "cat", event: "C", channel: "app", at: 24 * time.Hour},
	{user: "dan", event: "A", channel: "app", at: 0},
	{user: "dan", event: "C", channel: "app", at: time.Minute},
	{user: "dan", event: "B", channel: "app", at: 2 * time.Minute},
	{user: "eve", event: "C", channel: "web", at: 2 * time.Minute},
	{user: "eve", event: "B", channel: "web", at: time.Minute},
	{user: "eve", event: "A", channel: "web", at: 0},
	{user: "fay", event: "A", channel: "web", at: 0},
	{user: "fay", event: "A", channel: "web", at: 240 * time.Hour},
	{user: "fay", event: "B", channel: "web", at: 240*time.Hour + time.Minute},
	{user: "fay", event: "C", channel: "web", at: 240*time.Hour + 2*time.Minute},
	{user: "fay", event: "D", channel: "web", at: 240*time.Hour + 3*time.Minute},
	{user: "gus", event: "A", channel: "web", at: 0},
	{user: "gus", event: "B", channel: "web", at: 7 * 24 * time.Hour},
	{user: "hal", event: "A", channel: "web", at: 0},
	{user: "hal", event: "B", channel: "web", at: 7*24*time.Hour + time.Microsecond},
}

func load(t *testing.T, w *duckdb.Warehouse, events []fx, seq uint64) {
	t.Helper()
	var batch []touchpoint.Event
	for i, e := range events {
		ev := touchpoint.Event{ID: fmt.Sprintf("fx-%d-%03d", seq, i), Workspace: "default", Type: touchpoint.TypeTrack, Event: e.event,
			UserID: e.user, AnonymousID: e.anon, Channel: e.channel, Timestamp: t0.Add(e.at), ReceivedAt: t0.Add(e.at)}
		if e.props != "" {
			ev.Properties = []byte(e.props)
		}
		batch = append(batch, ev)
	}
	if err := w.Apply(context.Background(), tplog.Batch{Events: batch, LastSequence: seq}); err != nil {
		t.Fatal(err)
	}
}

// mapIdentity places identifiers on profiles the way identity resolution
// does: through the identity feed's side of the warehouse, one change
// sequence per call.
func mapIdentity(t *testing.T, w *duckdb.Warehouse, rows ...[3]string) {
	t.Helper()
	ctx := context.Background()
	seq, err := w.IdentityMapCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := identity.MapBatch{LastSeq: seq + 1}
	for _, r := range rows {
		b.Identifiers = append(b.Identifiers, identity.MapEntry{Workspace: "default", Kind: r[0], Value: r[1], Row: r[2], Profile: r[2]})
	}
	if err := w.ApplyIdentityMap(ctx, b); err != nil {
		t.Fatal(err)
	}
}

func steps(names ...string) []touchpoint.FunnelStep {
	var out []touchpoint.FunnelStep
	for _, n := range names {
		out = append(out, touchpoint.FunnelStep{Event: n})
	}
	return out
}

func counts(r *touchpoint.FunnelResponse) []int64 {
	var out []int64
	for _, s := range r.Steps {
		out = append(out, s.Count)
	}
	return out
}

func ws() touchpoint.Scope { return touchpoint.Scope{Workspace: "default"} }

func TestFunnel(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	load(t, w, journeyFixture, 1)
	mapIdentity(t, w, [3]string{"anonymous_id", "dev-b", "prf_bob"}, [3]string{"user_id", "bob", "prf_bob"})
	funnel := func(r touchpoint.FunnelRequest) *touchpoint.FunnelResponse {
		t.Helper()
		r.Scope.Workspace = "default"
		got, err := w.Funnel(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	t.Run("Loose", func(t *testing.T) {
		got := funnel(touchpoint.FunnelRequest{Steps: steps("A", "B", "C", "D"), Window: "7d"})
		if c := counts(got); !reflect.DeepEqual(c, []int64{8, 7, 4, 2}) {
			t.Fatalf("counts %v, want [8 7 4 2]", c)
		}
		// B after A: 1, 1, 2, 5, 10, 60 minutes and 7 days: the median is 5 minutes.
		if m := got.Steps[1].MedianSeconds; m == nil || *m != 300 {
			t.Errorf("median A→B %v, want 300", m)
		}
		if got.Steps[0].MedianSeconds != nil {
			t.Error("step 1 has a median time from a previous step")
		}
		// fay converts on her second attempt: D 3 minutes after that A.
		if m := got.Steps[3].MedianSecondsFromStart; m == nil || *m != (48*3600+180)/2 {
			t.Errorf("median A→D %v, want the middle of 48h and 3min", m)
		}
		if d := got.Steps[1]; d.Dropped != 1 || !reflect.DeepEqual(d.DroppedProfiles, []string{"user_id:hal"}) {
			t.Errorf("dropped at B: %d %v, want hal (one microsecond past the window)", d.Dropped, d.DroppedProfiles)
		}
		if d := got.Steps[2]; !reflect.DeepEqual(d.DroppedProfiles, []string{"prf_bob", "user_id:dan", "user_id:gus"}) {
			t.Errorf("dropped at C: %v", d.DroppedProfiles)
		}
		if c := got.Steps[3].Conversion; c != 0.25 {
			t.Errorf("conversion %v, want 0.25", c)
		}
	})
	t.Run("Strict", func(t *testing.T) {
		got := funnel(touchpoint.FunnelRequest{Steps: steps("A", "B", "C", "D"), Window: "7d", Order: touchpoint.OrderStrict})
		if c := counts(got); !reflect.DeepEqual(c, []int64{8, 6, 4, 2}) {
			t.Fatalf("counts %v, want [8 6 4 2]", c)
		}
	})
	t.Run("OneStep", func(t *testing.T) {
		if c := counts(funnel(touchpoint.FunnelRequest{Steps: steps("B")})); !reflect.DeepEqual(c, []int64{8}) {
			t.Fatalf("counts %v, want [8]", c)
		}
	})
	t.Run("RepeatedStep", func(t *testing.T) {
		// Two A's in a row: only fay (her two attempts) and nobody else.
		if c := counts(funnel(touchpoint.FunnelRequest{Steps: steps("A", "A"), Window: "30d"})); !reflect.DeepEqual(c, []int64{8, 1}) {
			t.Fatalf("counts %v, want [8 1]", c)
		}
	})
	t.Run("EmptyRange", func(t *testing.T) {
		from, to := t0.AddDate(1, 0, 0), t0.AddDate(1, 1, 0)
		got := funnel(touchpoint.FunnelRequest{Scope: touchpoint.Scope{From: &from, To: &to}, Steps: steps("A", "B")})
		if c := counts(got); !reflect.DeepEqual(c, []int64{0, 0}) || got.Steps[1].MedianSeconds != nil {
			t.Fatalf("counts %v (median %v), want zeros", c, got.Steps[1].MedianSeconds)
		}
	})
	t.Run("Range", func(t *testing.T) {
		// Only fay's second A starts in range; her B, C, D follow within it.
		from, to := t0.Add(9*24*time.Hour), t0.Add(11*24*time.Hour)
		got := funnel(touchpoint.FunnelRequest{Scope: touchpoint.Scope{From: &from, To: &to}, Steps: steps("A", "B", "C", "D")})
		if c := counts(got); !reflect.DeepEqual(c, []int64{1, 1, 1, 1}) {
			t.Fatalf("counts %v, want [1 1 1 1]", c)
		}
	})
	t.Run("Members", func(t *testing.T) {
		// bob and dan, in a segment, both stop after B.
		ms := []segment.MemberChange{{Workspace: "default", SegmentID: "seg_test", ProfileID: "prf_bob", In: true}, {Workspace: "default", SegmentID: "seg_test", ProfileID: "user_id:dan", In: true}}
		if err := w.ApplySegmentMembers(ctx, ms, 1); err != nil {
			t.Fatal(err)
		}
		got := funnel(touchpoint.FunnelRequest{Scope: touchpoint.Scope{Members: "seg_test"}, Steps: steps("A", "B", "C", "D"), Window: "7d"})
		if c := counts(got); !reflect.DeepEqual(c, []int64{2, 2, 0, 0}) {
			t.Fatalf("counts %v, want [2 2 0 0] (bob and dan)", c)
		}
		m, err := w.JourneyMap(ctx, touchpoint.JourneyMapRequest{Scope: touchpoint.Scope{Workspace: "default", Members: "seg_test"}})
		if err != nil || m.Profiles != 2 {
			t.Fatalf("journey map of the segment: %v customers, %v", m, err)
		}
		if c := counts(funnel(touchpoint.FunnelRequest{Scope: touchpoint.Scope{Members: "prs_none"}, Steps: steps("A")})); !reflect.DeepEqual(c, []int64{0}) {
			t.Fatalf("an empty persona: %v", c)
		}
		if _, err := w.Funnel(ctx, touchpoint.FunnelRequest{Scope: touchpoint.Scope{Workspace: "default", Members: "bob"}, Steps: steps("A")}); touchpoint.ErrorField(err) != "members" {
			t.Fatalf("a bad members id: %v", err)
		}
	})
	t.Run("Where", func(t *testing.T) {
		s := steps("A", "B")
		s[0].Where = []touchpoint.Condition{{Field: "properties.plan", Op: "eq", Value: "pro"}}
		if c := counts(funnel(touchpoint.FunnelRequest{Steps: s})); !reflect.DeepEqual(c, []int64{1, 1}) {
			t.Fatalf("counts %v, want [1 1] (ana only)", c)
		}
	})
	t.Run("Breakdown", func(t *testing.T) {
		got := funnel(touchpoint.FunnelRequest{Steps: steps("A", "B", "C", "D"), Breakdown: "channel"})
		want := []touchpoint.FunnelBreakdown{{Value: "web", Counts: []int64{6, 5, 3, 2}}, {Value: "app", Counts: []int64{2, 2, 1, 0}}}
		if !reflect.DeepEqual(got.Breakdown, want) {
			t.Fatalf("breakdown %+v, want %+v", got.Breakdown, want)
		}
	})
	t.Run("BreakdownByTrait", func(t *testing.T) {
		seq, err := w.IdentityMapCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pro := json.RawMessage(`{"plan":"pro"}`)
		if err := w.ApplyIdentityMap(ctx, identity.MapBatch{LastSeq: seq + 1, Traits: []identity.ProfileTraits{
			{Workspace: "default", Profile: "user_id:ana", Traits: pro}, {Workspace: "default", Profile: "user_id:cat", Traits: pro}}}); err != nil {
			t.Fatal(err)
		}
		// ana goes all the way; cat's A is followed by B and C, not D.
		got := funnel(touchpoint.FunnelRequest{Steps: steps("A", "B", "C", "D"), Breakdown: "trait.plan"})
		want := []touchpoint.FunnelBreakdown{{Value: "(none)", Counts: []int64{6, 5, 2, 1}}, {Value: "pro", Counts: []int64{2, 2, 2, 1}}}
		if !reflect.DeepEqual(got.Breakdown, want) {
			t.Fatalf("breakdown %+v, want %+v", got.Breakdown, want)
		}
	})
	t.Run("FilteredStepsAgree", func(t *testing.T) {
		// Every channel, or a condition every event passes, makes each step
		// a filtered one: the steps then keep each attempt's earliest match
		// instead of the one match of an unfiltered step. Same answers.
		for _, order := range []string{touchpoint.OrderLoose, touchpoint.OrderStrict} {
			plain := funnel(touchpoint.FunnelRequest{Steps: steps("A", "B", "C", "D"), Window: "7d", Order: order})
			all := funnel(touchpoint.FunnelRequest{Scope: touchpoint.Scope{Channels: []string{"web", "app"}}, Steps: steps("A", "B", "C", "D"), Window: "7d", Order: order})
			s := steps("A", "B", "C", "D")
			for i := range s {
				s[i].Where = []touchpoint.Condition{{Field: "channel", Op: "in", Value: []any{"web", "app"}}}
			}
			where := funnel(touchpoint.FunnelRequest{Steps: s, Window: "7d", Order: order})
			if !reflect.DeepEqual(all, plain) || !reflect.DeepEqual(where, plain) {
				t.Errorf("%s: every channel %+v, a condition every event passes %+v; unfiltered %+v", order, all.Steps, where.Steps, plain.Steps)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for field, r := range map[string]touchpoint.FunnelRequest{
			"steps":                   {Scope: ws()},
			"steps[1].event":          {Scope: ws(), Steps: []touchpoint.FunnelStep{{Event: "A"}, {}}},
			"window":                  {Scope: ws(), Steps: steps("A"), Window: "7 days"},
			"order":                   {Scope: ws(), Steps: steps("A"), Order: "any"},
			"steps[0].where[0].op":    {Scope: ws(), Steps: []touchpoint.FunnelStep{{Event: "A", Where: []touchpoint.Condition{{Field: "channel", Op: "like", Value: "x"}}}}},
			"steps[0].where[0].field": {Scope: ws(), Steps: []touchpoint.FunnelStep{{Event: "A", Where: []touchpoint.Condition{{Field: "properties.a'b", Value: "x"}}}}},
			"breakdown":               {Scope: ws(), Steps: steps("A"), Breakdown: "nope"},
		} {
			_, err := w.Funnel(ctx, r)
			if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != field {
				t.Errorf("%s: got %v (field %q)", field, err, touchpoint.ErrorField(err))
			}
		}
	})
}

// TestFunnelDroppedSpread checks the drop-off list when the customers who
// drop are not spread evenly: the list looks at the first customers by
// number, as many as should hold it, and further when they do not.
func TestFunnelDroppedSpread(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	var events []fx
	for i := range 60 {
		user := fmt.Sprintf("u%02d", i)
		events = append(events, fx{user: user, event: "A", channel: "web"})
		if i < 30 {
			events = append(events, fx{user: user, event: "B", channel: "web", at: time.Minute})
		}
	}
	load(t, w, events, 1)
	mapIdentity(t, w)
	got, err := w.Funnel(ctx, touchpoint.FunnelRequest{Scope: ws(), Steps: steps("A", "B"), DropOffLimit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Steps[1]; d.Dropped != 30 || !reflect.DeepEqual(d.DroppedProfiles, []string{"user_id:u30", "user_id:u31"}) {
		t.Errorf("dropped %d %v, want 30, the first two being u30 and u31", d.Dropped, d.DroppedProfiles)
	}
}

// TestMergesShowAtOnce checks that a merge, and its undoing, change every
// answer at once without touching the events.
func TestMergesShowAtOnce(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	load(t, w, journeyFixture, 1)
	ab := func() int64 {
		got, err := w.Funnel(ctx, touchpoint.FunnelRequest{Scope: ws(), Steps: steps("A", "B")})
		if err != nil {
			t.Fatal(err)
		}
		return got.Steps[1].Count
	}
	// Unresolved, bob's two events are two customers.
	if n := ab(); n != 6 {
		t.Fatalf("before identity resolution: %d reach B, want 6", n)
	}
	mapIdentity(t, w, [3]string{"anonymous_id", "dev-b", "prf_bob"}, [3]string{"user_id", "bob", "prf_bob"})
	if n := ab(); n != 7 {
		t.Fatalf("after the merge: %d reach B, want 7", n)
	}
	m, err := w.JourneyMap(ctx, touchpoint.JourneyMapRequest{Scope: ws()})
	if err != nil {
		t.Fatal(err)
	}
	if m.Profiles != 8 {
		t.Fatalf("map counts %d customers, want 8 (bob once)", m.Profiles)
	}
	// Undo: the device is a profile of its own again.
	mapIdentity(t, w, [3]string{"anonymous_id", "dev-b", "prf_dev"})
	if n := ab(); n != 6 {
		t.Fatalf("after the unmerge: %d reach B, want 6", n)
	}
	// New events arrive for a merged customer.
	load(t, w, []fx{{user: "hal", event: "B", channel: "web", at: time.Hour}}, 2)
	if n := ab(); n != 7 {
		t.Fatalf("after a new event: %d reach B, want 7", n)
	}
	var events int64
	if err := w.DB().QueryRow(`SELECT count(*) FROM events`).Scan(&events); err != nil || events != int64(len(journeyFixture)+1) {
		t.Fatalf("events rewritten: %d, %v", events, err)
	}
}

func TestPaths(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	load(t, w, journeyFixture, 1)
	mapIdentity(t, w, [3]string{"anonymous_id", "dev-b", "prf_bob"}, [3]string{"user_id", "bob", "prf_bob"})
	got, err := w.Paths(ctx, touchpoint.PathsRequest{Scope: ws(), Event: "A", Steps: 3, Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got.Profiles != 8 {
		t.Errorf("%d customers did A, want 8", got.Profiles)
	}
	want := []touchpoint.PathSequence{
		{Events: []string{"B", "(end)"}, Count: 3},      // bob, gus, hal
		{Events: []string{"B", "C", "(end)"}, Count: 2}, // cat, eve
		{Events: []string{"A", "B", "C"}, Count: 1},     // fay (ties in path order)
	}
	if !reflect.DeepEqual(got.Sequences, want) {
		t.Errorf("sequences %+v, want %+v", got.Sequences, want)
	}
	links := map[string]int64{}
	for _, l := range got.Links {
		links[l.Source+" > "+l.Target] = l.Value
	}
	for k, v := range map[string]int64{"0:A > 1:B": 6, "0:A > 1:C": 1, "0:A > 1:A": 1, "1:B > 2:C": 3, "1:B > 2:(end)": 3} {
		if links[k] != v {
			t.Errorf("link %s = %d, want %d (all: %v)", k, links[k], v, links)
		}
	}
	before, err := w.Paths(ctx, touchpoint.PathsRequest{Scope: ws(), Event: "D", Direction: "before", Steps: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Sequences) != 1 || !reflect.DeepEqual(before.Sequences[0], touchpoint.PathSequence{Events: []string{"B", "C"}, Count: 2}) {
		t.Errorf("before D: %+v", before.Sequences)
	}
	if _, err := w.Paths(ctx, touchpoint.PathsRequest{Scope: ws(), Direction: "before"}); touchpoint.ErrorField(err) != "event" {
		t.Errorf("before without an event: %v", err)
	}
}

func TestRetention(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	week := 7 * 24 * time.Hour
	load(t, w, []fx{
		{user: "p1", event: "Signed Up", at: time.Hour}, {user: "p1", event: "Order", at: week + time.Hour}, {user: "p1", event: "Order", at: 3*week + time.Hour},
		{user: "p2", event: "Signed Up", at: 2 * 24 * time.Hour}, {user: "p2", event: "Order", at: 2 * 24 * time.Hour}, {user: "p2", event: "Order", at: week + 24*time.Hour},
		{user: "p3", event: "Signed Up", at: week + 24*time.Hour}, {user: "p3", event: "Order", at: 2*week + 24*time.Hour},
		{user: "p4", event: "Order", at: 3*week + 2*time.Hour}, // never signed up: no cohort
	}, 1)
	mapIdentity(t, w)
	got, err := w.Retention(ctx, touchpoint.RetentionRequest{Scope: ws(), StartEvent: "Signed Up", ReturnEvent: "Order", Periods: 4})
	if err != nil {
		t.Fatal(err)
	}
	// Now is week 3: the first cohort has reached period 3, the second 2.
	want := []touchpoint.RetentionCohort{
		{Cohort: "2026-11-02", Size: 2, Returned: []int64{1, 2, 0, 1}, Rates: []float64{0.5, 1, 0, 0.5}},
		{Cohort: "2026-11-09", Size: 1, Returned: []int64{0, 1, 0}, Rates: []float64{0, 1, 0}},
	}
	if !reflect.DeepEqual(got.Cohorts, want) {
		t.Fatalf("cohorts %+v, want %+v", got.Cohorts, want)
	}
	if !reflect.DeepEqual(got.Total.Returned, []int64{1, 3, 0, 1}) || got.Total.Rates[1] != 1 || got.Total.Rates[3] != 0.5 {
		t.Fatalf("total %+v", got.Total)
	}
	days, err := w.Retention(ctx, touchpoint.RetentionRequest{Scope: ws(), Period: "day", Periods: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(days.Cohorts) != 4 || days.Cohorts[0].Size != 1 {
		t.Fatalf("daily cohorts by any activity: %+v", days.Cohorts)
	}
	months, err := w.Retention(ctx, touchpoint.RetentionRequest{Scope: ws(), StartEvent: "Signed Up", Period: "month"})
	if err != nil {
		t.Fatal(err)
	}
	if len(months.Cohorts) != 1 || months.Cohorts[0].Cohort != "2026-11-01" || months.Cohorts[0].Size != 3 || months.Cohorts[0].Returned[0] != 3 {
		t.Fatalf("monthly cohorts %+v", months.Cohorts)
	}
	if _, err := w.Retention(ctx, touchpoint.RetentionRequest{Scope: ws(), Period: "year"}); touchpoint.ErrorField(err) != "period" {
		t.Fatalf("bad period: %v", err)
	}
}

var _ = sql.ErrNoRows
