package segment_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/segment"
	"github.com/touchpoint-cx/touchpoint/sqlite"
)

// flaky is the state store failing on purpose: a commit that never
// happens, or a crash between appending events and clearing the outbox.
type flaky struct {
	*sqlite.DB
	failCommit, failClear int
}

func (f *flaky) CommitSegmentPass(ctx context.Context, p *segment.Pass) error {
	if f.failCommit > 0 {
		f.failCommit--
		return errors.New("disk full")
	}
	return f.DB.CommitSegmentPass(ctx, p)
}

func (f *flaky) ClearSegmentOutbox(ctx context.Context, ids []string) error {
	if f.failClear > 0 {
		f.failClear--
		return errors.New("power cut")
	}
	return f.DB.ClearSegmentOutbox(ctx, ids)
}

// restart replaces the engine with a new one over the same stores, as a
// process restarting after a crash does.
func (h *harness) restart(store segment.Store) {
	h.eng = segment.NewEngine(segment.Config{Store: store, Analytics: h.w, Appender: h.log, Clock: h.clock, Logger: quiet()})
	h.svc.Engine = h.eng
}

// countEvents counts segment events of a user in the analytics store.
func (h *harness) countEvents(user, name string) int {
	h.t.Helper()
	var n int
	if err := h.w.DB().QueryRowContext(h.ctx, `SELECT count(*) FROM events WHERE user_id = ? AND event = ?`, user, name).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// TestExactlyOnce checks that entering and leaving are recorded once per
// change, whatever is replayed and wherever the process stops.
func TestExactlyOnce(t *testing.T) {
	h := setup(t)
	f := &flaky{DB: h.db}
	h.restart(f)
	s := h.create("Recent buyers", jsonCond(t, `{"event":{"name":"Order Completed","within_days":7}}`))
	b := h.batch(track("ana", "Order Completed", ago(1*day), ``))
	expect(t, "events", h.membershipEvents(), []string{"Recent buyers:ana:entered"})

	t.Run("Replay", func(t *testing.T) {
		h.t = t
		// The consumer hands the same batch again, then the same events
		// again under a new sequence (a duplicate in the log).
		if err := h.eng.Apply(h.ctx, b); err != nil {
			t.Fatal(err)
		}
		h.batch(b.Events...)
		h.sweep()
		expect(t, "events", h.membershipEvents(), nil)
		expect(t, "members", h.users(s), []string{"ana"})
	})

	t.Run("CommitFails", func(t *testing.T) {
		h.t = t
		f.failCommit = 1
		h.seq++
		b := batchOf(h, track("bo", "Order Completed", ago(1*day), ``))
		if err := h.eng.Apply(h.ctx, b); err == nil {
			t.Fatal("the commit failed but Apply did not say so")
		}
		expect(t, "events", h.membershipEvents(), nil)
		// The log hands the batch again; the engine reloads from the stores.
		if err := h.eng.Apply(h.ctx, b); err != nil {
			t.Fatal(err)
		}
		expect(t, "events", h.membershipEvents(), []string{"Recent buyers:bo:entered"})
	})

	t.Run("CrashBeforeAppend", func(t *testing.T) {
		h.t = t
		h.log.fail = errors.New("log unreachable")
		h.batch(track("cy", "Order Completed", ago(1*day), ``))
		expect(t, "events", h.membershipEvents(), nil)
		expect(t, "members", h.users(s), []string{"ana", "bo", "cy"})
		// The process dies; a new one appends what the outbox holds.
		h.log.fail = nil
		h.restart(f)
		h.sweep()
		expect(t, "events", h.membershipEvents(), []string{"Recent buyers:cy:entered"})
	})

	t.Run("CrashAfterAppend", func(t *testing.T) {
		h.t = t
		// The events reach the log but the outbox is not cleared: a new
		// process appends them again, under the same ids, and the stores
		// keep one.
		f.failClear = 1
		h.batch(track("dee", "Order Completed", ago(1*day), ``))
		first := h.pump()
		h.restart(f)
		h.sweep()
		again := h.pump()
		if len(first) != 1 || len(again) != 1 || first[0].ID != again[0].ID {
			t.Fatalf("appended %v then %v, want the same event twice", first, again)
		}
		if n := h.countEvents("dee", touchpoint.EventSegmentEntered); n != 1 {
			t.Fatalf("analytics holds %d segment.entered of dee, want 1", n)
		}
	})

	t.Run("RestartChangesNothing", func(t *testing.T) {
		h.t = t
		h.restart(f)
		h.sweep()
		h.at(t0.Add(3 * day))
		h.sweep()
		expect(t, "events", h.membershipEvents(), nil)
		// A week on, every order is out of the window: each leaves once.
		h.at(t0.Add(7 * day))
		h.restart(f)
		h.sweep()
		h.sweep()
		expect(t, "events", h.membershipEvents(), []string{"Recent buyers:ana:exited", "Recent buyers:bo:exited", "Recent buyers:cy:exited", "Recent buyers:dee:exited"})
		hist, err := h.db.SegmentHistory(h.ctx, touchpoint.SegmentHistoryFilter{Workspace: "default", SegmentID: s.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 8 || hist[0].Change != touchpoint.SegmentExited || hist[0].Reason != touchpoint.ReasonTime || hist[0].EventID == "" {
			t.Fatalf("history = %+v", hist)
		}
	})
}

func batchOf(h *harness, evs ...touchpoint.Event) tplog.Batch {
	for i := range evs {
		h.n++
		evs[i].ID, evs[i].Workspace, evs[i].ReceivedAt = "x"+string(rune('a'+h.n%26))+itoa(h.n), "default", evs[i].Timestamp
	}
	b := tplog.Batch{Events: evs, LastSequence: h.seq}
	for _, apply := range []func(context.Context, tplog.Batch) error{h.w.Apply, h.ident.Apply, h.fb.Apply} {
		if err := apply(h.ctx, b); err != nil {
			h.t.Fatal(err)
		}
	}
	if err := h.feed.CatchUp(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	return b
}

// TestMerges checks that merges and unmerges move membership the way
// analytics moves events.
func TestMerges(t *testing.T) {
	h := setup(t)
	h.batch(
		touchpoint.Event{Type: touchpoint.TypeTrack, AnonymousID: "a-1", Event: "Order Completed", Timestamp: ago(2 * day)},
		track("ana", "Order Completed", ago(1*day), ``),
	)
	buyers := h.create("Buyers", jsonCond(t, `{"event":{"name":"Order Completed"}}`))
	repeat := h.create("Repeat buyers", jsonCond(t, `{"event":{"name":"Order Completed","op":"gte","count":2}}`))
	expect(t, "buyers", h.users(buyers), []string{"a-1", "ana"})
	expect(t, "repeat", h.users(repeat), nil)
	h.membershipEvents()

	// ana signs in on the device: the two profiles become one, which has
	// two orders. The anonymous profile leaves quietly.
	h.batch(touchpoint.Event{Type: touchpoint.TypeIdentify, UserID: "ana", AnonymousID: "a-1", Timestamp: t0})
	expect(t, "buyers", h.users(buyers), []string{"ana"})
	expect(t, "repeat", h.users(repeat), []string{"ana"})
	expect(t, "events", h.membershipEvents(), []string{"Repeat buyers:ana:entered"})
	hist, err := h.db.SegmentHistory(h.ctx, touchpoint.SegmentHistoryFilter{Workspace: "default", SegmentID: buyers.ID, Limit: 1})
	if err != nil || len(hist) != 1 || hist[0].Reason != touchpoint.ReasonMerge || hist[0].EventID != "" {
		t.Fatalf("history = %+v, %v", hist, err)
	}

	// Undoing the merge gives each profile its own order again.
	merges, err := h.db.Merges(h.ctx, "default", hist[0].ProfileID)
	if err != nil || len(merges) != 1 {
		t.Fatalf("merges = %v, %v", merges, err)
	}
	if _, err := h.db.Unmerge(h.ctx, "default", merges[0].ID, "test"); err != nil {
		t.Fatal(err)
	}
	h.batch(track("zed", "Page Viewed", t0, ``))
	expect(t, "buyers", h.users(buyers), []string{"a-1", "ana"})
	expect(t, "repeat", h.users(repeat), nil)
	expect(t, "events", h.membershipEvents(), []string{"Buyers:a-1:entered", "Repeat buyers:ana:exited"})
}

// TestRandomAgreement runs random customers through several definitions
// and checks at several moments that the engine, kept up to date event by
// event and sweep by sweep, agrees with the analytics store evaluating
// each definition over everyone.
func TestRandomAgreement(t *testing.T) {
	h := setup(t)
	r := rand.New(rand.NewPCG(7, 11))
	names := []string{"Order Completed", "Application Opened", "Product Viewed", "Cart Viewed"}
	channels := []string{"web", "app", "store"}
	var evs []touchpoint.Event
	for i := 0; i < 600; i++ {
		user := "u" + itoa(r.IntN(60))
		at := ago(timeDays(r.Float64() * 45))
		ev := track(user, names[r.IntN(len(names))], at, `{"revenue":`+itoa(r.IntN(200))+`,"sku":"s`+itoa(r.IntN(5))+`"}`)
		ev.Channel = channels[r.IntN(len(channels))]
		evs = append(evs, ev)
		if r.IntN(10) == 0 {
			evs = append(evs, identify(user, at, `{"plan":"`+[]string{"free", "pro"}[r.IntN(2)]+`"}`))
		}
	}
	h.batch(evs[:300]...)
	defs := []string{
		`{"event":{"name":"Order Completed","op":"gte","count":3,"within_days":21,"where":[{"property":"revenue","op":"gte","value":50}]}}`,
		`{"and":[{"event":{"name":"Product Viewed","within_days":7}},{"not":{"event":{"name":"Order Completed","within_days":14}}}]}`,
		`{"or":[{"event":{"name":"Cart Viewed","channel":"app","op":"lt","count":2,"within_days":10}},{"computed":{"key":"last_seen","op":"more_than","value":5}}]}`,
		`{"and":[{"trait":{"key":"plan","op":"eq","value":"pro"}},{"event":{"name":"Application Opened","op":"eq","count":1,"within_days":30}}]}`,
		`{"event":{"name":"Order Completed","where":[{"property":"sku","op":"in","value":["s1","s3"]}],"op":"neq","count":2}}`,
	}
	var segs []*touchpoint.Segment
	for i, d := range defs {
		segs = append(segs, h.create("def"+itoa(i), jsonCond(t, d)))
	}
	check := func() {
		t.Helper()
		for _, s := range segs {
			h.users(s)
		}
	}
	check()
	for i, part := range [][]touchpoint.Event{evs[300:400], evs[400:500], evs[500:]} {
		h.batch(part...)
		h.pump()
		check()
		h.at(t0.Add(timeDays(float64(i+1) * 1.7)))
		h.sweep()
		h.pump()
		check()
	}
}

func timeDays(d float64) time.Duration { return time.Duration(d * float64(day)) }

func itoa(n int) string { return strconv.Itoa(n) }
