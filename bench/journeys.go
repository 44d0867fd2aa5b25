package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/identity"
	"github.com/touchpoint-cx/touchpoint/journey"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/sqlite"
)

// JourneysConfig sets up a journey engine run.
type JourneysConfig struct {
	Dir       string // where the state database and the log are created
	Customers int    // customers entering the journey
	BatchSize int    // events per log batch, as the consumer batches them
	Progress  io.Writer
}

// JourneysResult is what one run measured.
type JourneysResult struct {
	Config     JourneysConfig
	LoadPerS   float64 // identity resolution of the customers, before measuring
	EnrolPerS  float64
	TimersPerS float64
	// Per CPU-second: the work done for each second of CPU the process
	// used (both cores), which does not depend on what else the machine runs.
	EnrolPerCPUS, TimersPerCPUS float64
	Events                      int // platform events the engine appended to the log
}

func (r JourneysResult) String() string {
	return fmt.Sprintf("customers %d (profiles loaded at %.0f events/s)\nenrol    %9.0f enrolments/s, %.0f per CPU-second (an event-triggered journey; batches of %d events; journey.entered and journey.step appended to the log)\ntimers   %9.0f timers/s, %.0f per CPU-second (all %d waits expire at once; each customer moves to a list node and leaves; 2 events each)\nevents   %d platform events appended to the log",
		r.Config.Customers, r.LoadPerS, r.EnrolPerS, r.EnrolPerCPUS, r.Config.BatchSize, r.TimersPerS, r.TimersPerCPUS, r.Config.Customers, r.Events)
}

type benchClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *benchClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *benchClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// countingLog appends to the real log and counts.
type countingLog struct {
	log *tplog.Log
	mu  sync.Mutex
	n   int
}

func (l *countingLog) Append(ctx context.Context, evs []touchpoint.Event) error {
	l.mu.Lock()
	l.n += len(evs)
	l.mu.Unlock()
	return l.log.Append(ctx, evs)
}

// Journeys loads Customers profiles, then measures how fast they enter an
// event-triggered journey and how fast their one-hour waits fire when
// they all expire at once. State is SQLite, events go to the embedded log
// with its fsync, as in the server.
func Journeys(ctx context.Context, cfg JourneysConfig) (JourneysResult, error) {
	res := JourneysResult{Config: cfg}
	clock := &benchClock{t: time.Now().UTC().Truncate(time.Second)}
	db, err := sqlite.Open(ctx, filepath.Join(cfg.Dir, "state.db"), clock)
	if err != nil {
		return res, err
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	l, err := tplog.Open(ctx, tplog.DefaultConfig(filepath.Join(cfg.Dir, "log")), logger)
	if err != nil {
		return res, err
	}
	defer l.Close()
	if err := db.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "default", Name: "Default"}); err != nil {
		return res, err
	}
	ident := identity.NewEngine(db, func(string) touchpoint.IdentityRules { return touchpoint.DefaultIdentityRules() }, logger)
	appender := &countingLog{log: l}
	eng := journey.NewEngine(journey.Config{Store: db, Profiles: db, Appender: appender, Clock: clock, Logger: logger})

	var seq uint64
	n := 0
	ev := func(typ touchpoint.EventType, i int) touchpoint.Event {
		n++
		e := touchpoint.Event{ID: fmt.Sprintf("b%d", n), Workspace: "default", Type: typ, UserID: fmt.Sprintf("u%d", i), Channel: "web",
			Timestamp: clock.Now(), ReceivedAt: clock.Now()}
		if typ == touchpoint.TypeIdentify {
			e.Traits = []byte(fmt.Sprintf(`{"email":"u%d@example.com","plan":"trial"}`, i))
		} else {
			e.Event = "Trial Started"
			e.Properties = []byte(`{"plan":"pro","seats":3}`)
		}
		return e
	}
	run := func(typ touchpoint.EventType, apply tplog.Handler, what string) (float64, error) {
		start := time.Now()
		batch := make([]touchpoint.Event, 0, cfg.BatchSize)
		flush := func() error {
			seq++
			err := apply(ctx, tplog.Batch{Events: batch, LastSequence: seq})
			batch = batch[:0]
			return err
		}
		for i := 0; i < cfg.Customers; i++ {
			batch = append(batch, ev(typ, i))
			if len(batch) == cfg.BatchSize {
				if err := flush(); err != nil {
					return 0, err
				}
				if cfg.Progress != nil && (i+1)%(cfg.BatchSize*20) == 0 {
					fmt.Fprintf(cfg.Progress, "\r%s %d", what, i+1)
				}
			}
		}
		if len(batch) > 0 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
		if cfg.Progress != nil {
			fmt.Fprintln(cfg.Progress)
		}
		return float64(cfg.Customers) / time.Since(start).Seconds(), nil
	}
	if res.LoadPerS, err = run(touchpoint.TypeIdentify, ident.Apply, "profiles loaded"); err != nil {
		return res, err
	}
	doc, err := touchpoint.DecodeJourney([]byte(`
id: trial
name: Trial onboarding
entry: {type: event, event: Trial Started, conditions: 'event.properties.seats > 0', next: wait}
nodes:
  - {id: wait, type: wait, duration: 1h, next: tag}
  - {id: tag, type: list, list: trial-day-one, op: add}
`))
	if err != nil {
		return res, err
	}
	if err := db.SaveJourney(ctx, &touchpoint.Journey{ID: doc.ID, Workspace: "default", Draft: doc.JourneyDefinition, UpdatedBy: "bench"}); err != nil {
		return res, err
	}
	if _, err := db.PublishJourney(ctx, "default", doc.ID, "bench"); err != nil {
		return res, err
	}
	cpu0 := cpuTime()
	if res.EnrolPerS, err = run(touchpoint.TypeTrack, eng.Apply, "enrolled"); err != nil {
		return res, err
	}
	res.EnrolPerCPUS = float64(cfg.Customers) / (cpuTime() - cpu0).Seconds()
	clock.set(clock.Now().Add(time.Hour))
	start, cpu0 := time.Now(), cpuTime()
	fired, err := eng.FireDue(ctx)
	if err != nil {
		return res, err
	}
	res.TimersPerS = float64(fired) / time.Since(start).Seconds()
	res.TimersPerCPUS = float64(fired) / (cpuTime() - cpu0).Seconds()
	if fired != cfg.Customers {
		return res, fmt.Errorf("bench journeys: %d timers fired, want %d", fired, cfg.Customers)
	}
	res.Events = appender.n
	return res, nil
}

// LatencyConfig drives a running server with events that trigger a
// journey whose first step calls a webhook, and times event to webhook.
type LatencyConfig struct {
	URL      string // the server
	WriteKey string
	// Publish sets the journey up given the receiver's URL (the caller
	// holds the admin client).
	Publish func(ctx context.Context, hookURL string) error
	Events  int
	Rate    int // events per second
}

// LatencyResult is the event-to-action latency.
type LatencyResult struct {
	Events, Received int
	P50, P99, Max    time.Duration
}

func (r LatencyResult) String() string {
	return fmt.Sprintf("event to action: %d events sent one by one, %d webhooks received; p50 %.1f ms  p99 %.1f ms  max %.1f ms",
		r.Events, r.Received, ms(r.P50), ms(r.P99), ms(r.Max))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Latency measures trigger-to-send: from the moment a tracked event is
// posted to the collection API to the moment the journey's webhook
// reaches a receiver on this machine.
func Latency(ctx context.Context, cfg LatencyConfig) (LatencyResult, error) {
	var mu sync.Mutex
	sent := map[int]time.Time{}
	var lat []time.Duration
	got := make(chan struct{}, cfg.Events)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		var body struct {
			N string `json:"n"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		n, _ := strconv.Atoi(body.N)
		mu.Lock()
		if t, ok := sent[n]; ok {
			lat = append(lat, at.Sub(t))
			delete(sent, n)
		}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		got <- struct{}{}
	}))
	defer recv.Close()
	if err := cfg.Publish(ctx, recv.URL+"/hook"); err != nil {
		return LatencyResult{}, err
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	tick := time.NewTicker(time.Second / time.Duration(max(cfg.Rate, 1)))
	defer tick.Stop()
	for i := 0; i < cfg.Events; i++ {
		<-tick.C
		body := fmt.Sprintf(`{"userId":"lat-%d","event":"Latency Probe","properties":{"n":"%d"}}`, i, i)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL+"/v1/track", bytes.NewReader([]byte(body)))
		req.SetBasicAuth(cfg.WriteKey, "")
		req.Header.Set("Content-Type", "application/json")
		mu.Lock()
		sent[i] = time.Now()
		mu.Unlock()
		resp, err := hc.Do(req)
		if err != nil {
			return LatencyResult{}, err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return LatencyResult{}, fmt.Errorf("track: %s", resp.Status)
		}
	}
	res := LatencyResult{Events: cfg.Events}
	deadline := time.After(30 * time.Second)
wait:
	for res.Received < cfg.Events {
		select {
		case <-got:
			res.Received++
		case <-deadline:
			break wait
		}
	}
	mu.Lock()
	defer mu.Unlock()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		res.P50, res.P99, res.Max = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)], lat[len(lat)-1]
	}
	return res, nil
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
