package duckdb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

func setup(t *testing.T) (*duckdb.Warehouse, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "analytics.duckdb")
	w, err := duckdb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, path
}

func ev(id, user, anon string, at int) touchpoint.Event {
	ts := time.Date(2026, 11, 1, 0, 0, at, 0, time.UTC)
	return touchpoint.Event{ID: id, Workspace: "default", Type: touchpoint.TypeTrack, Event: "Product Viewed",
		UserID: user, AnonymousID: anon, Channel: "web", Timestamp: ts, ReceivedAt: ts,
		Properties: []byte(`{"sku":"A-1","price":12.5}`), Context: []byte(`{"ip":"10.0.0.1"}`)}
}

func TestApply(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		w, _ := setup(t)
		if err := w.Apply(ctx, tplog.Batch{Events: []touchpoint.Event{ev("a", "u1", "", 1), ev("b", "u1", "", 2)}, LastSequence: 3}); err != nil {
			t.Fatal(err)
		}
		seq, err := w.Checkpoint(ctx)
		if err != nil || seq != 3 {
			t.Fatalf("checkpoint = %d, %v; want 3", seq, err)
		}
		uid := "u1"
		got, err := w.FindEvents(ctx, touchpoint.EventFilter{Workspace: "default", UserID: &uid})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "b" || got[1].ID != "a" {
			t.Fatalf("got %v, want b then a (newest first)", ids(got))
		}
		if string(got[0].Properties) != `{"sku":"A-1","price":12.5}` || got[0].Channel != "web" || got[0].Event != "Product Viewed" {
			t.Fatalf("event not kept as sent: %+v", got[0])
		}
	})

	t.Run("ReplayAddsNothing", func(t *testing.T) {
		w, _ := setup(t)
		batch := []touchpoint.Event{ev("a", "u1", "", 1), ev("a", "u1", "", 1), ev("b", "u2", "", 2)}
		for seq := uint64(1); seq <= 3; seq++ {
			if err := w.Apply(ctx, tplog.Batch{Events: batch, LastSequence: seq}); err != nil {
				t.Fatal(err)
			}
		}
		s, err := w.Stats(ctx, "default")
		if err != nil {
			t.Fatal(err)
		}
		if s.EventsTotal != 2 {
			t.Fatalf("events_total = %d, want 2", s.EventsTotal)
		}
	})

	t.Run("FailedBatchLeavesNothing", func(t *testing.T) {
		w, _ := setup(t)
		if err := w.Apply(ctx, tplog.Batch{Events: []touchpoint.Event{ev("a", "u1", "", 1)}, LastSequence: 1}); err != nil {
			t.Fatal(err)
		}
		duckdb.FailAfterAppend(w, errors.New("disk on fire"))
		err := w.Apply(ctx, tplog.Batch{Events: []touchpoint.Event{ev("b", "u1", "", 2), ev("c", "u1", "", 3)}, LastSequence: 2})
		if err == nil {
			t.Fatal("want the injected error")
		}
		duckdb.FailAfterAppend(w, nil)
		s, err := w.Stats(ctx, "default")
		if err != nil {
			t.Fatal(err)
		}
		if s.EventsTotal != 1 || s.Pipeline.AnalyticsSequence != 1 {
			t.Fatalf("after failed batch: %d events at seq %d, want 1 at 1", s.EventsTotal, s.Pipeline.AnalyticsSequence)
		}
		// The writer is usable again after the rollback.
		if err := w.Apply(ctx, tplog.Batch{Events: []touchpoint.Event{ev("b", "u1", "", 2)}, LastSequence: 2}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("SurvivesReopen", func(t *testing.T) {
		w, path := setup(t)
		if err := w.Apply(ctx, tplog.Batch{Events: []touchpoint.Event{ev("a", "u1", "", 1)}, LastSequence: 7}); err != nil {
			t.Fatal(err)
		}
		w.Close()
		w2, err := duckdb.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer w2.Close()
		s, err := w2.Stats(ctx, "default")
		if err != nil || s.EventsTotal != 1 || s.Pipeline.AnalyticsSequence != 7 {
			t.Fatalf("after reopen: %+v, %v", s, err)
		}
	})
}

func TestStats(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	events := []touchpoint.Event{
		ev("1", "", "anon-1", 1),   // browses anonymously …
		ev("2", "u1", "anon-1", 2), // … then signs up: one customer
		ev("3", "", "anon-2", 3),   // a visitor who never signs up
		ev("4", "u2", "", 4),
		ev("5", "u2", "", 5),
	}
	other := ev("6", "u9", "", 6)
	other.Workspace = "other"
	events = append(events, other)
	if err := w.Apply(ctx, tplog.Batch{Events: events, LastSequence: 1}); err != nil {
		t.Fatal(err)
	}
	s, err := w.Stats(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	if s.EventsTotal != 5 || s.ProfilesTotal != 3 {
		t.Fatalf("stats = %+v, want 5 events, 3 profiles", s)
	}
}

func TestFindEvents(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	var batch []touchpoint.Event
	for i := 0; i < 30; i++ {
		batch = append(batch, ev(fmt.Sprint(i), "", "anon-x", i))
	}
	if err := w.Apply(ctx, tplog.Batch{Events: batch, LastSequence: 1}); err != nil {
		t.Fatal(err)
	}
	anon := "anon-x"
	t.Run("Limit", func(t *testing.T) {
		got, err := w.FindEvents(ctx, touchpoint.EventFilter{Workspace: "default", AnonymousID: &anon, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(got)) != "[29 28 27 26 25]" {
			t.Fatalf("got %v", ids(got))
		}
	})
	t.Run("ErrInvalidLimit", func(t *testing.T) {
		_, err := w.FindEvents(ctx, touchpoint.EventFilter{Workspace: "default", Limit: touchpoint.MaxEventLimit + 1})
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("got %v, want invalid", err)
		}
	})
}

func TestMigrationsContiguous(t *testing.T) {
	ms, err := duckdb.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("migrations: %+v", ms)
	}
}

// TestMigrationUnwrapsTraits checks migration 0008 on traits stored
// before it, as JSON strings wrapping the object.
func TestMigrationUnwrapsTraits(t *testing.T) {
	ctx := context.Background()
	w, path := setup(t)
	for _, q := range []string{
		// A file from before migration 0008: later tables not there yet.
		`DELETE FROM schema_migrations WHERE version >= 8`,
		`DROP TABLE segment_members`,
		`INSERT INTO profile_traits VALUES ('default', 'prf_1', to_json('{"plan":"pro"}'), now()), ('default', 'prf_2', '{"plan":"free"}'::JSON, now())`,
	} {
		if _, err := w.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	w, err := duckdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows, err := w.DB().QueryContext(ctx, `SELECT profile_id, json_extract_string(traits, '$.plan') FROM profile_traits ORDER BY profile_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id string
		var plan sql.NullString
		if err := rows.Scan(&id, &plan); err != nil {
			t.Fatal(err)
		}
		got = append(got, id+"="+plan.String)
	}
	if want := []string{"prf_1=pro", "prf_2=free"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("traits after the migration %v, want %v", got, want)
	}
}

func ids(evs []*touchpoint.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func TestApplyLargeBatch(t *testing.T) {
	// Batches larger than one DuckDB vector (2048 rows) are flushed by the
	// appender more than once; every row must still land.
	ctx := context.Background()
	for _, n := range []int{2047, 2048, 2049, 5000} {
		w, _ := setup(t)
		var batch []touchpoint.Event
		for i := 0; i < n; i++ {
			batch = append(batch, ev(fmt.Sprintf("big-%d", i), fmt.Sprintf("u%d", i%8), "", i%60))
		}
		if err := w.Apply(ctx, tplog.Batch{Events: batch, LastSequence: 9}); err != nil {
			t.Fatal(err)
		}
		s, err := w.Stats(ctx, "default")
		if err != nil {
			t.Fatal(err)
		}
		if s.EventsTotal != int64(n) {
			t.Fatalf("applied %d events, %d stored", n, s.EventsTotal)
		}
	}
}

func TestTimeline(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	events := []touchpoint.Event{
		ev("1", "", "laptop", 1), ev("2", "ana", "laptop", 2), ev("3", "", "phone", 3),
		ev("4", "bob", "", 4), ev("5", "ana", "", 5),
	}
	if err := w.Apply(ctx, tplog.Batch{Events: events, LastSequence: 1}); err != nil {
		t.Fatal(err)
	}
	got, err := w.Timeline(ctx, touchpoint.TimelineFilter{Workspace: "default", UserIDs: []string{"ana"}, AnonymousIDs: []string{"laptop", "phone"}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids(got)) != "[1 2 3 5]" {
		t.Fatalf("timeline %v, want oldest first without bob's", ids(got))
	}
	none, err := w.Timeline(ctx, touchpoint.TimelineFilter{Workspace: "default", Limit: 10})
	if err != nil || len(none) != 0 {
		t.Fatalf("no identifiers: %v, %v", none, err)
	}
	since := events[2].Timestamp
	later, err := w.Timeline(ctx, touchpoint.TimelineFilter{Workspace: "default", UserIDs: []string{"ana"}, AnonymousIDs: []string{"laptop", "phone"}, Since: &since, Limit: 100})
	if err != nil || fmt.Sprint(ids(later)) != "[3 5]" {
		t.Fatalf("since: %v, %v", ids(later), err)
	}
}

func TestOverview(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	mk := func(id, user, anon, channel, src, name string, at time.Time) touchpoint.Event {
		return touchpoint.Event{ID: id, Workspace: "default", Type: touchpoint.TypeTrack, Event: name, UserID: user, AnonymousID: anon,
			Channel: channel, SourceID: src, Timestamp: at, ReceivedAt: at}
	}
	events := []touchpoint.Event{
		mk("e1", "u1", "", "web", "src_web", "Product Viewed", day(1, 9)), // u1's first event: before the period
		mk("e2", "u1", "", "web", "src_web", "Product Viewed", day(3, 9)),
		mk("e3", "u1", "", "email", "src_mail", "Email Opened", day(3, 10)),
		mk("e4", "u2", "", "store", "src_pos", "Order Completed", day(4, 23)),
		mk("e5", "", "a9", "web", "src_web", "Product Viewed", day(4, 1)),
		mk("e6", "u3", "", "web", "src_web", "Product Viewed", day(6, 1)), // after the period
		{ID: "e7", Workspace: "other", Type: touchpoint.TypeTrack, Event: "X", UserID: "u1", Timestamp: day(3, 1), ReceivedAt: day(3, 1)},
	}
	if err := w.Apply(ctx, tplog.Batch{Events: events, LastSequence: 1}); err != nil {
		t.Fatal(err)
	}
	o, err := w.Overview(ctx, touchpoint.OverviewFilter{Workspace: "default", From: day(2, 0), To: day(5, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if o.Events != 4 || o.Customers != 3 || o.NewCustomers != 2 {
		t.Fatalf("totals: events %d customers %d new %d; want 4, 3, 2", o.Events, o.Customers, o.NewCustomers)
	}
	var byDay []string
	for _, d := range o.EventsByDay {
		byDay = append(byDay, fmt.Sprintf("%d %s %d", d.Day.Day(), d.Channel, d.Count))
	}
	if fmt.Sprint(byDay) != "[3 email 1 3 web 1 4 store 1 4 web 1]" {
		t.Fatalf("by day: %v", byDay)
	}
	var custs []string
	for _, d := range o.CustomersByDay {
		custs = append(custs, fmt.Sprintf("%s %d %d", d.Day.Format("01-02"), d.Active, d.New))
	}
	if fmt.Sprint(custs) != "[11-03 1 0 11-04 2 2]" {
		t.Fatalf("customers by day: %v", o.CustomersByDay)
	}
	if fmt.Sprint(o.ByChannel) != "[{web 2} {email 1} {store 1}]" || fmt.Sprint(o.BySource) != "[{src_web 2} {src_mail 1} {src_pos 1}]" {
		t.Fatalf("breakdowns: %v %v", o.ByChannel, o.BySource)
	}
	if len(o.TopEvents) != 3 || o.TopEvents[0] != (touchpoint.KeyCount{Key: "Product Viewed", Count: 2}) {
		t.Fatalf("top events: %v", o.TopEvents)
	}
	by, err := w.EventsBySource(ctx, touchpoint.OverviewFilter{Workspace: "default", From: day(2, 0), To: day(5, 0)})
	if err != nil || fmt.Sprint(by) != "[{src_web 2} {src_mail 1} {src_pos 1}]" {
		t.Fatalf("events by source = %v, %v", by, err)
	}
	active, err := w.ActiveProfiles(ctx, "default", 2)
	if err != nil || fmt.Sprint(active) != "[user_id:u3 user_id:u2]" {
		t.Fatalf("active profiles = %v, %v", active, err)
	}
	if _, err := w.Overview(ctx, touchpoint.OverviewFilter{Workspace: "default", From: day(5, 0), To: day(2, 0)}); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
		t.Fatalf("reversed period: %v", err)
	}
}
