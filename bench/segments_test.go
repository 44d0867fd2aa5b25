package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // a second connection to fill the state store fast
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	segpkg "github.com/touchpoint-cx/touchpoint/segment"
	"github.com/touchpoint-cx/touchpoint/sqlite"
)

// Sizes of the segments benchmark.
const (
	benchProfiles = 1_000_000
	benchEvents   = 10_000_000
)

type segmentsBench struct {
	dir   string
	w     *duckdb.Warehouse
	db    *sql.DB // the state store's file, for loading
	state *sqlite.DB
	seq   uint64
	now   time.Time
}

func newSegmentsBench(b *testing.B) (*segmentsBench, error) {
	ctx := context.Background()
	dir := b.TempDir()
	var err error
	s := &segmentsBench{dir: dir, now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	start := time.Now()
	if s.w, err = duckdb.Open(ctx, filepath.Join(dir, "analytics.duckdb")); err != nil {
		return nil, err
	}
	// Events generated in the store itself: hashes of the row number pick
	// the customer, the name, the channel and the time.
	const events = `INSERT INTO events (key, workspace, message_id, seq, type, event, user_id, channel, timestamp, received_at, properties)
SELECT gen_random_uuid(), 'default', 'e' || i, i // 1000 + 1, 'track',
       CASE WHEN n < 5 THEN 'Order Completed' WHEN n < 20 THEN 'Application Opened' ELSE 'Event ' || (n % 18) END,
       'u' || (hash(i) % $profiles), ['web', 'app', 'store', 'email'][1 + (hash(i * 3) % 4)::BIGINT],
       $now::TIMESTAMPTZ - to_seconds((hash(i * 7) % (90 * 86400))::BIGINT), $now::TIMESTAMPTZ,
       CASE WHEN n < 5 THEN json_object('revenue', 10 + hash(i * 11) % 200) ELSE '{}'::JSON END
FROM (SELECT i, hash(i * 13) % 100 AS n FROM range($events) t(i))`
	if _, err := s.w.DB().ExecContext(ctx, events, sql.Named("profiles", benchProfiles), sql.Named("events", benchEvents), sql.Named("now", s.now)); err != nil {
		return nil, fmt.Errorf("generate events: %w", err)
	}
	if _, err := s.w.DB().ExecContext(ctx, `INSERT INTO identity_map SELECT 'default', 'user_id', 'u' || i, 'prf_' || i, 'prf_' || i FROM range(?) t(i)`, benchProfiles); err != nil {
		return nil, err
	}
	s.seq = benchEvents/1000 + 1
	if _, err := s.w.DB().ExecContext(ctx, `INSERT INTO consumer_checkpoints VALUES ('warehouse', ?, now())`, s.seq); err != nil {
		return nil, err
	}
	b.Logf("analytics: %d events of %d customers generated in %s", benchEvents, benchProfiles, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	path := filepath.Join(dir, "state.db")
	if s.state, err = sqlite.Open(ctx, path, touchpoint.FixedClock(s.now)); err != nil {
		return nil, err
	}
	if err := s.state.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "default", Name: "Default"}); err != nil {
		return nil, err
	}
	if s.db, err = sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=5000"); err != nil {
		return nil, err
	}
	at := s.now.Add(-100 * 24 * time.Hour).Format(time.RFC3339Nano)
	for _, q := range []string{
		`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
		 INSERT INTO profiles (id, workspace, created_at, traits)
		 SELECT 'prf_' || i, 'default', '` + at + `', CASE WHEN i % 3 = 0 THEN '{"plan":{"v":"pro","t":"` + at + `"}}' ELSE '{"plan":{"v":"free","t":"` + at + `"}}' END FROM c`,
		`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
		 INSERT INTO identities (workspace, kind, value, profile_id, first_seen, event_id) SELECT 'default', 'user_id', 'u' || i, 'prf_' || i, '` + at + `', 'x' FROM c`,
	} {
		if _, err := s.db.ExecContext(ctx, q, benchProfiles-1); err != nil {
			return nil, fmt.Errorf("load state: %w", err)
		}
	}
	// Identity resolution has seen everything: the engine does not wait.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO consumer_checkpoints VALUES ('identity', 1000000000, ?)`, at); err != nil {
		return nil, err
	}
	b.Logf("state: %d profiles loaded in %s", benchProfiles, time.Since(start).Round(time.Millisecond))
	return s, nil
}

// behavioural is the segment every measurement evaluates.
const behavioural = `{"and":[{"event":{"name":"Order Completed","op":"gte","count":2,"within_days":30}},
	{"not":{"event":{"name":"Application Opened","within_days":14}}}]}`

func condition(b *testing.B, js string) touchpoint.SegmentCondition {
	s, err := touchpoint.ParseSegmentDefinition([]byte(`{"name":"bench","condition":` + js + `}`))
	if err != nil {
		b.Fatal(err)
	}
	return s.Condition
}

// BenchmarkSegments measures segments over a million customers and ten
// million events over the last 90 days in the analytics store (twenty
// event names, Order Completed 5% of them with a revenue, Application
// Opened 15%, four channels), the same customers as profiles in the state
// store, a third of them on the pro plan:
//
//   - FullEvaluation: the analytics store evaluating a behavioural segment
//     over everyone ("did Order Completed at least twice in the last 30 days
//     and did not open the app in 14 days");
//   - Incremental: the engine starting (facts rebuilt from the ten million
//     events, every customer evaluated; logged), then batches of 10,000
//     new events through its log handler with the segment live, per event;
//   - IncrementalWithTrait: the same with a trait condition, which the
//     engine reads from the state store for the customers it must decide.
//
// Run it with:
//
//	go test -run XXX -bench Segments -benchtime 20x -timeout 60m ./bench/
func BenchmarkSegments(b *testing.B) {
	// The parent runs once; its sub-benchmarks repeat.
	s, err := newSegmentsBench(b)
	if err != nil {
		b.Fatal(err)
	}
	defer s.close()
	ctx := context.Background()
	b.Logf("%d CPUs, %s/%s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)

	b.Run("FullEvaluation", func(b *testing.B) {
		cond := condition(b, behavioural)
		p, err := segpkg.Compile(&cond, segpkg.Options{Inline: func(string) (*touchpoint.SegmentCondition, error) { return nil, nil }})
		if err != nil {
			b.Fatal(err)
		}
		var n int
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ids, err := s.w.EvaluateSegment(ctx, "default", p, s.now)
			if err != nil {
				b.Fatal(err)
			}
			n = len(ids)
		}
		b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/evaluation")
		b.ReportMetric(float64(n), "members")
	})

	for _, c := range []struct{ name, cond string }{
		{"Incremental", behavioural},
		{"IncrementalWithTrait", `{"and":[{"trait":{"key":"plan","op":"eq","value":"pro"}},{"event":{"name":"Order Completed","op":"gte","count":2,"within_days":30}}]}`},
	} {
		b.Run(c.name, func(b *testing.B) { s.incremental(b, c.cond) })
	}
}

// incremental creates the segment in a fresh engine (reported: the time
// to build its facts from the analytics store and evaluate everyone),
// then applies batches of 10,000 events of random customers.
func (s *segmentsBench) incremental(b *testing.B, cond string) {
	ctx := context.Background()
	// Each run starts from the same checkpoint with no segments.
	for _, q := range []string{`DELETE FROM segments`, `DELETE FROM segment_members`, `DELETE FROM segment_history`, `DELETE FROM segment_sizes`, `DELETE FROM segment_outbox`,
		`DELETE FROM segment_engine`} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO segment_engine (id, seq, identity_change, pass) VALUES (1, ?, 0, 0)`, s.seq); err != nil {
		b.Fatal(err)
	}
	clock := &benchClock{t: s.now}
	eng := segpkg.NewEngine(segpkg.Config{Store: s.state, Analytics: s.w, Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	svc := &segpkg.Service{Store: s.state, Estimator: s.w, Engine: eng, Clock: clock}
	seg := &touchpoint.Segment{Workspace: "default", Name: "bench", Condition: condition(b, cond)}
	if err := svc.CreateSegment(ctx, seg); err != nil {
		b.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	start := time.Now()
	if err := eng.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	seeded := time.Since(start)
	got, err := s.state.FindSegment(ctx, "default", seg.ID)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.Logf("engine start: facts from %d events and %d customers evaluated in %s; %d members; engine memory %d MB",
		benchEvents, benchProfiles, seeded.Round(time.Millisecond), got.Size, (int64(ms.HeapAlloc)-int64(before))>>20)

	r := rand.New(rand.NewPCG(5, 6))
	const batch = 10000
	names := []string{"Order Completed", "Application Opened", "Product Viewed", "Cart Viewed", "Page Viewed"}
	seq := s.seq
	n := 0
	mk := func() tplog.Batch {
		evs := make([]touchpoint.Event, batch)
		for i := range evs {
			n++
			at := clock.t.Add(-time.Duration(r.IntN(3600)) * time.Second)
			name := names[r.IntN(len(names))]
			evs[i] = touchpoint.Event{ID: fmt.Sprintf("inc-%d", n), Workspace: "default", Type: touchpoint.TypeTrack, Event: name,
				UserID: fmt.Sprintf("u%d", r.IntN(benchProfiles)), Channel: "app", Timestamp: at, ReceivedAt: at}
			if name == "Order Completed" {
				evs[i].Properties = []byte(`{"revenue":42}`)
			}
		}
		seq++
		return tplog.Batch{Events: evs, LastSequence: seq}
	}
	var changes int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		bt := mk()
		clock.t = clock.t.Add(time.Minute)
		b.StartTimer()
		if err := eng.Apply(ctx, bt); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	after, err := s.state.FindSegment(ctx, "default", seg.ID)
	if err != nil {
		b.Fatal(err)
	}
	hist, _ := s.state.SegmentHistory(ctx, touchpoint.SegmentHistoryFilter{Workspace: "default", SegmentID: seg.ID, Limit: 10000})
	changes = int64(len(hist))
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*batch), "µs/event")
	b.Logf("%d batches of %d events: size %d → %d, %d changes recorded (history, capped at 10,000 read)", b.N, batch, got.Size, after.Size, changes)
}

func (s *segmentsBench) close() {
	s.db.Close()
	s.state.Close()
	s.w.Close()
}
