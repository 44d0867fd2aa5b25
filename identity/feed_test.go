package identity_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	"github.com/touchpoint-cx/touchpoint/identity"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

// TestFeedAttributesEventsAtQueryTime resolves events in the state store,
// stores them unchanged in the analytics store, feeds the identity map
// across, and checks that analytics counts profiles the way resolution
// sees them, through a merge and its undoing, without rewriting an event.
func TestFeedAttributesEventsAtQueryTime(t *testing.T) {
	ctx := context.Background()
	e, b := setup(t)
	w, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "analytics.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	feed := identity.NewFeed(b.db, w, b.logger())
	feed.BatchSize = 3 // several feed batches, so cuts between them are exercised

	both := func(events ...touchpoint.Event) {
		t.Helper()
		b.apply(t, e, events...)
		if err := w.Apply(ctx, tplog.Batch{Events: events, LastSequence: b.seq}); err != nil {
			t.Fatal(err)
		}
		if err := feed.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	attribution := func() map[string]int {
		t.Helper()
		rows, err := w.DB().QueryContext(ctx, `SELECT profile_id, count(*) FROM profile_events GROUP BY profile_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var p string
			var n int
			if err := rows.Scan(&p, &n); err != nil {
				t.Fatal(err)
			}
			out[p] = n
		}
		return out
	}

	both(
		b.ev(touchpoint.TypePage, "", "laptop", 0, nil),
		b.ev(touchpoint.TypeTrack, "", "laptop", 1, nil),
		b.ev(touchpoint.TypeTrack, "", "phone", 2, nil),
		b.ev(touchpoint.TypeTrack, "", "phone", 3, nil),
	)
	laptop, phone := b.profile(t, "anonymous_id:laptop"), b.profile(t, "anonymous_id:phone")
	if got := attribution(); len(got) != 2 || got[laptop.ID] != 2 || got[phone.ID] != 2 {
		t.Fatalf("before identify: %v", got)
	}
	both(
		b.ev(touchpoint.TypeIdentify, "u1", "laptop", 4, traits(`{"plan":"free","email":"ana@example.com"}`)),
		b.ev(touchpoint.TypeIdentify, "u1", "phone", 5, traits(`{"plan":"pro"}`)),
	)
	ana := b.profile(t, "user_id:u1")
	if got := attribution(); len(got) != 1 || got[ana.ID] != 6 {
		t.Fatalf("after identify on both devices: %v (want 6 events of %s)", got, ana.ID)
	}
	var traitsJSON, kind string
	if err := w.DB().QueryRowContext(ctx, `SELECT traits::VARCHAR, json_type(traits) FROM profile_traits WHERE profile_id = ?`, ana.ID).Scan(&traitsJSON, &kind); err != nil {
		t.Fatal(err)
	}
	if kind != "OBJECT" {
		t.Fatalf("profile traits stored as %s, not a JSON object: %s", kind, traitsJSON)
	}
	var tr map[string]any
	if err := json.Unmarshal([]byte(traitsJSON), &tr); err != nil || tr["plan"] != "pro" || tr["email"] != "ana@example.com" {
		t.Fatalf("profile traits in analytics: %s, %v", traitsJSON, err)
	}
	var stale int
	if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FROM profile_traits WHERE profile_id <> ?`, ana.ID).Scan(&stale); err != nil || stale != 0 {
		t.Fatalf("%d profile_traits rows of merged-away profiles, %v", stale, err)
	}

	merges, err := b.db.Merges(ctx, "default", ana.ID)
	if err != nil || len(merges) != 1 {
		t.Fatalf("merges %v, %v", merges, err)
	}
	if _, err := b.db.Unmerge(ctx, "default", merges[0].ID, "test"); err != nil {
		t.Fatal(err)
	}
	if err := feed.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	loser := b.profile(t, "profile:"+merges[0].Loser)
	got := attribution()
	if len(got) != 2 || got[ana.ID]+got[loser.ID] != 6 || got[loser.ID] == 0 || got[ana.ID] == 0 {
		t.Fatalf("after unmerge: %v (profiles %s and %s)", got, ana.ID, loser.ID)
	}
	if err := feed.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	// Replaying the feed from the start (a rebuilt analytics store) gives
	// the same answer.
	w2, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "rebuilt.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	all, err := w.FindEvents(ctx, touchpoint.EventFilter{Workspace: "default", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var evs []touchpoint.Event
	for _, ev := range all {
		evs = append(evs, *ev)
	}
	if err := w2.Apply(ctx, tplog.Batch{Events: evs, LastSequence: b.seq}); err != nil {
		t.Fatal(err)
	}
	if err := identity.NewFeed(b.db, w2, b.logger()).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	w = w2
	if again := attribution(); len(again) != 2 || again[ana.ID] != got[ana.ID] || again[loser.ID] != got[loser.ID] {
		t.Fatalf("rebuilt: %v, want %v", again, got)
	}
}
