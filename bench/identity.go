package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/identity"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/sqlite"
)

// IdentityConfig sets up an identity resolution run.
type IdentityConfig struct {
	Dir       string // where the state database is created
	Profiles  int    // customers loaded before measuring
	Events    int    // events resolved while measuring
	BatchSize int    // events per transaction, as the log consumer batches them
	Reads     int    // profile reads measured
	Progress  io.Writer
}

// IdentityResult is what one run measured.
type IdentityResult struct {
	Config   IdentityConfig
	LoadPerS float64
	// EventsPerS is resolution with realistic activity: 80% of events come
	// from the 10% of customers active at the moment, the rest from anyone.
	EventsPerS float64
	// UniformPerS is the worst case: every event from a customer drawn
	// uniformly from all of them, so nearly every event touches a profile
	// no other event of its batch touches.
	UniformPerS      float64
	ReadP50, ReadP99 time.Duration
	Profiles         int64
	// FirstBatch is how long the first batch after reopening the store
	// takes: it loads the identifier index and the filter of SeenKeys
	// event ids first.
	FirstBatch time.Duration
	SeenKeys   int
}

func (r IdentityResult) String() string {
	return fmt.Sprintf(`profiles %d (loaded at %.0f events/s)
resolve  %9.0f events/s  80%% of events from the 10%% most active customers (batches of %d: track, identify linking a new device, new visitors)
resolve  %9.0f events/s  every event from a customer drawn uniformly (worst case)
read     p50 %.3f ms  p99 %.3f ms  (%d profile reads by random identifier)
restart  %.1f s  first batch after reopening the store (loads the identifier index and %d event ids)`,
		r.Profiles, r.LoadPerS, r.EventsPerS, r.Config.BatchSize, r.UniformPerS,
		float64(r.ReadP50.Microseconds())/1000, float64(r.ReadP99.Microseconds())/1000, r.Config.Reads,
		r.FirstBatch.Seconds(), r.SeenKeys)
}

// Identity loads Profiles customers through the identity engine, then
// measures how fast it resolves a realistic mix of events, and how fast a
// profile reads back by identifier.
func Identity(ctx context.Context, cfg IdentityConfig) (IdentityResult, error) {
	open := func() (*sqlite.DB, error) {
		return sqlite.Open(ctx, filepath.Join(cfg.Dir, "state.db"), touchpoint.SystemClock{})
	}
	db, err := open()
	if err != nil {
		return IdentityResult{}, err
	}
	defer func() { db.Close() }()
	if err := db.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "default", Name: "Default"}); err != nil {
		return IdentityResult{}, err
	}
	rules := touchpoint.DefaultIdentityRules()
	newEngine := func() *identity.Engine {
		return identity.NewEngine(db, func(string) touchpoint.IdentityRules { return rules }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	engine := newEngine()
	res := IdentityResult{Config: cfg}
	var seq uint64
	n := 0
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(typ touchpoint.EventType, user, anon string) touchpoint.Event {
		n++
		e := touchpoint.Event{ID: fmt.Sprintf("b%d", n), Workspace: "default", Type: typ, UserID: user, AnonymousID: anon, Channel: "web",
			Timestamp: ts.Add(time.Duration(n) * time.Millisecond), ReceivedAt: ts}
		switch typ {
		case touchpoint.TypeTrack:
			e.Event = "Product Viewed"
			e.Properties = []byte(`{"product_id":"p1","price":12.5}`)
		case touchpoint.TypeIdentify:
			if user != "" {
				e.Traits = []byte(fmt.Sprintf(`{"email":"%s@example.com","plan":"pro"}`, user))
			}
		}
		return e
	}
	apply := func(batch []touchpoint.Event) error {
		seq++
		// As the log consumer does: a full batch says more is waiting.
		return engine.Apply(ctx, tplog.Batch{Events: batch, LastSequence: seq, Full: len(batch) == cfg.BatchSize})
	}

	// Load: every customer identifies with a user id, an anonymous id and an email.
	start := time.Now()
	batch := make([]touchpoint.Event, 0, cfg.BatchSize)
	for i := 0; i < cfg.Profiles; i++ {
		batch = append(batch, ev(touchpoint.TypeIdentify, fmt.Sprintf("u%d", i), fmt.Sprintf("a%d", i)))
		if len(batch) == cfg.BatchSize {
			if err := apply(batch); err != nil {
				return res, err
			}
			batch = batch[:0]
			if cfg.Progress != nil && i%(cfg.BatchSize*20) == cfg.BatchSize*20-1 {
				fmt.Fprintf(cfg.Progress, "\rloaded %d profiles", i+1)
			}
		}
	}
	if len(batch) > 0 {
		if err := apply(batch); err != nil {
			return res, err
		}
	}
	if err := engine.Settle(ctx); err != nil {
		return res, err
	}
	if cfg.Progress != nil {
		fmt.Fprintln(cfg.Progress)
	}
	res.LoadPerS = float64(cfg.Profiles) / time.Since(start).Seconds()

	// Resolve a mix of calls: 80% tracks by known customers, 10% a known
	// customer identifying on a new device, 10% new anonymous visitors.
	r := rand.New(rand.NewPCG(1, 2))
	resolve := func(pick func() int) (float64, error) {
		start := time.Now()
		batch = batch[:0]
		for i := 0; i < cfg.Events; i++ {
			u := fmt.Sprintf("u%d", pick())
			switch x := r.IntN(10); {
			case x < 8:
				batch = append(batch, ev(touchpoint.TypeTrack, u, ""))
			case x < 9:
				batch = append(batch, ev(touchpoint.TypeIdentify, u, fmt.Sprintf("dev%d", n)))
			default:
				batch = append(batch, ev(touchpoint.TypePage, "", fmt.Sprintf("visitor%d", n)))
			}
			if len(batch) == cfg.BatchSize {
				if err := apply(batch); err != nil {
					return 0, err
				}
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			if err := apply(batch); err != nil {
				return 0, err
			}
		}
		// Everything held back is durable before the clock stops.
		if err := engine.Settle(ctx); err != nil {
			return 0, err
		}
		return float64(cfg.Events) / time.Since(start).Seconds(), nil
	}
	// The active tenth is a random set of customers, not the first ones.
	active := r.Perm(cfg.Profiles)[:max(1, cfg.Profiles/10)]
	if res.EventsPerS, err = resolve(func() int {
		if r.IntN(10) < 8 {
			return active[r.IntN(len(active))]
		}
		return r.IntN(cfg.Profiles)
	}); err != nil {
		return res, err
	}
	if res.UniformPerS, err = resolve(func() int { return r.IntN(cfg.Profiles) }); err != nil {
		return res, err
	}

	// Reads by user id, email and anonymous id.
	lat := make([]time.Duration, 0, cfg.Reads)
	for i := 0; i < cfg.Reads; i++ {
		k := r.IntN(cfg.Profiles)
		id := []touchpoint.Identifier{{Kind: "user_id", Value: fmt.Sprintf("u%d", k)}, {Kind: "email", Value: fmt.Sprintf("u%d@example.com", k)}, {Kind: "anonymous_id", Value: fmt.Sprintf("a%d", k)}}[i%3]
		t0 := time.Now()
		if _, err := db.FindProfile(ctx, "default", id); err != nil {
			return res, fmt.Errorf("read %s: %w", id, err)
		}
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		res.ReadP50, res.ReadP99 = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
	}
	if res.Profiles, err = db.CountProfiles(ctx, "default"); err != nil {
		return res, err
	}

	// A restart: the first batch after opening the store loads the
	// identifier index and the seen-event filter before it resolves.
	u0 := touchpoint.Identifier{Kind: "user_id", Value: "u0"}
	before, err := db.FindProfile(ctx, "default", u0)
	if err != nil {
		return res, err
	}
	if err := db.Close(); err != nil {
		return res, err
	}
	reopened, err := open()
	if err != nil {
		return res, err
	}
	db = reopened
	engine = newEngine()
	res.SeenKeys = n
	start = time.Now()
	if err := apply([]touchpoint.Event{ev(touchpoint.TypeTrack, "u0", "")}); err != nil {
		return res, err
	}
	if err := engine.Settle(ctx); err != nil {
		return res, err
	}
	res.FirstBatch = time.Since(start)
	after, err := db.FindProfile(ctx, "default", u0)
	if err != nil {
		return res, err
	}
	if after.Computed.Events != before.Computed.Events+1 {
		return res, fmt.Errorf("after the restart, u0 has %d events, want %d", after.Computed.Events, before.Computed.Events+1)
	}
	return res, nil
}
