package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	"github.com/touchpoint-cx/touchpoint/feedback"
	"github.com/touchpoint-cx/touchpoint/httpapi"
	"github.com/touchpoint-cx/touchpoint/identity"
	"github.com/touchpoint-cx/touchpoint/journey"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/segment"
	"github.com/touchpoint-cx/touchpoint/sqlite"
	"github.com/touchpoint-cx/touchpoint/survey"
	"github.com/touchpoint-cx/touchpoint/text"
	"github.com/touchpoint-cx/touchpoint/web"
)

// Files in the data directory.
const (
	stateFile     = "state.db"
	analyticsFile = "analytics.duckdb"
	lockFile      = "touchpoint.lock"
	serverFile    = "server.json"
)

// node is one running Touchpoint: its stores, its consumers and, when
// serving, its HTTP server. Commands that work on a data directory
// (serve, demo, offline import, rebuild) all open one.
type node struct {
	cfg    Config
	logger *slog.Logger
	clock  touchpoint.Clock

	lock      *os.File
	state     *sqlite.DB
	log       *tplog.Log
	warehouse *duckdb.Warehouse
	registry  *prometheus.Registry

	rules          *identity.RulesCache
	text           *text.Analyzer
	feed           *identity.Feed
	journeys       *journey.Engine
	dispatcher     *journey.Dispatcher
	consumerCancel context.CancelFunc
	consumers      sync.WaitGroup
	running        atomic.Int32

	// Segments: the engine (a log consumer), the API's service over it,
	// personas, and the sender of destination webhooks.
	segments     *segment.Engine
	segmentsSvc  *segment.Service
	personas     *segment.Personas
	sender       *segment.Sender
	destinations *segment.DestinationService
}

// openNode opens every store of the data directory, which must have been
// initialised. It takes an exclusive lock on the directory: the embedded
// stores belong to one process at a time.
func openNode(ctx context.Context, cfg Config, logger *slog.Logger) (*node, error) {
	if _, err := os.Stat(filepath.Join(cfg.Data, stateFile)); err != nil {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "%s is not a Touchpoint data directory; run: touchpoint init --data %s", cfg.Data, cfg.Data)
	}
	n := &node{cfg: cfg, logger: logger, clock: touchpoint.SystemClock{}, registry: prometheus.NewRegistry()}
	var err error
	if n.lock, err = lockDataDir(cfg.Data); err != nil {
		return nil, err
	}
	if n.state, err = sqlite.Open(ctx, filepath.Join(cfg.Data, stateFile), n.clock); err != nil {
		n.close()
		return nil, fmt.Errorf("open state: %w", err)
	}
	n.state.StateCacheSize = cfg.Identity.StateCache
	if n.log, err = tplog.Open(ctx, cfg.logConfig(), logger); err != nil {
		n.close()
		return nil, fmt.Errorf("open log: %w", err)
	}
	if n.warehouse, err = duckdb.Open(ctx, filepath.Join(cfg.Data, analyticsFile)); err != nil {
		n.close()
		return nil, fmt.Errorf("open analytics: %w", err)
	}
	n.rules = identity.NewRulesCache(n.state.IdentityRules, 10*time.Second, logger)
	n.text = text.NewAnalyzer(text.Config{Store: n.state, Dir: filepath.Join(cfg.Data, modelsDir), Logger: logger, Clock: n.clock})
	n.feed = identity.NewFeed(n.state, n.warehouse, logger)
	if err := n.openJourneys(); err != nil {
		n.close()
		return nil, err
	}
	n.sender = segment.NewSender(n.state, n.clock, logger, cfg.Outbound.AllowedHosts)
	n.segments = segment.NewEngine(segment.Config{Store: n.state, Analytics: n.warehouse, Appender: n.log, Clock: n.clock, Logger: logger,
		SweepEvery: duration(cfg.Segments.SweepEvery), Delivered: n.sender.Wake})
	n.personas = &segment.Personas{Store: n.state, Analytics: n.warehouse, Segments: n.state, Clock: n.clock, Logger: logger,
		Every: duration(cfg.Segments.PersonasEvery), Workspaces: n.workspaceIDs}
	n.segmentsSvc = &segment.Service{Store: n.state, Estimator: n.warehouse, Engine: n.segments, Personas: n.personas, Clock: n.clock}
	n.destinations = &segment.DestinationService{Store: n.state, Segments: n.state, Sender: n.sender, Clock: n.clock}
	n.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, c := range n.log.Metrics().Collectors() {
		n.registry.MustRegister(c)
	}
	return n, nil
}

// lockDataDir takes an exclusive, non-blocking lock so that two processes
// never open the same embedded stores.
func lockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "%s is in use by another touchpoint process (stop it, or talk to it with --server)", dir)
	}
	return f, nil
}

// consumerCount is how many log consumers a node runs, and the feed of
// identity changes into analytics.
const consumerCount = 5

// startConsumers starts the log consumers (the analytics warehouse, the
// identity engine, the feedback engine and the journey engine), the
// identity map feed, and the journeys' timers and outbox. They run until
// close.
func (n *node) startConsumers(ctx context.Context) error {
	engine := identity.NewEngine(n.state, n.rules.Rules, n.logger)
	resolve := func(ctx context.Context, b tplog.Batch) error {
		if err := engine.Apply(ctx, b); err != nil {
			return err
		}
		n.feed.Notify()
		return nil
	}
	// The feedback engine reads sentiment, language and topics of feedback
	// with the workspace's text models.
	fb := feedback.NewEngine(n.state, n.warehouse, n.text, n.logger)
	consumers := []struct {
		name       string
		checkpoint func(context.Context) (uint64, error)
		apply      tplog.Handler
		maxEvents  int
		maxWait    time.Duration
	}{
		{duckdb.ConsumerName, n.warehouse.Checkpoint, n.warehouse.Apply, 50000, time.Second},
		// Identity resolution and journeys batch for at most a few
		// milliseconds: an event-triggered message waits for both.
		{identity.ConsumerName, engine.Checkpoint, resolve, 10000, 5 * time.Millisecond},
		{feedback.ConsumerName, fb.Checkpoint, fb.Apply, 10000, time.Second},
		{journey.ConsumerName, n.journeys.Checkpoint, n.journeys.Apply, 5000, 5 * time.Millisecond},
		{segment.ConsumerName, n.segments.Checkpoint, n.segments.Apply, 10000, 5 * time.Millisecond},
	}
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n.consumerCancel = cancel
	fb.Stopping = cctx.Done()
	n.segments.SetStopping(cctx.Done())
	// Beside the consumers: segment sweeps and definition changes,
	// persona discovery on its schedule, and destination deliveries.
	for name, run := range map[string]func(context.Context) error{"segments": n.segments.Run, "personas": n.personas.Run, "destinations": n.sender.Run} {
		n.consumers.Add(1)
		go func() {
			defer n.consumers.Done()
			if err := run(cctx); err != nil {
				n.logger.Error("stopped", "loop", name, "err", err)
			}
		}()
	}
	n.consumers.Add(1)
	n.running.Add(1)
	go func() {
		defer n.consumers.Done()
		defer n.running.Add(-1)
		if err := n.feed.Run(cctx); err != nil {
			n.logger.Error("identity map feed stopped", "err", err)
		}
	}()
	// Identity resolution holds work back while it catches up with the
	// log; when the log goes quiet it is written within half a second.
	n.consumers.Add(1)
	go func() {
		defer n.consumers.Done()
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-cctx.Done():
				return
			case <-t.C:
				if err := engine.Settle(cctx); err != nil && cctx.Err() == nil {
					n.logger.Error("identity settle failed", "err", err)
				} else {
					n.feed.Notify()
				}
			}
		}
	}()
	n.consumers.Add(1)
	go func() {
		defer n.consumers.Done()
		n.runAnalytics(cctx)
	}()
	for _, c := range consumers {
		after, err := c.checkpoint(ctx)
		if err != nil {
			cancel()
			return err
		}
		n.consumers.Add(1)
		n.running.Add(1)
		go func() {
			defer n.consumers.Done()
			defer n.running.Add(-1)
			err := n.log.Consume(cctx, tplog.ConsumerConfig{Name: c.name, After: after, MaxEvents: c.maxEvents, MaxWait: c.maxWait}, c.apply)
			if err != nil {
				n.logger.Error("consumer stopped", "consumer", c.name, "err", err)
			}
		}()
	}
	return n.startJourneyLoops(ctx, cctx)
}

// ready reports whether the stores are open and the consumers run.
func (n *node) ready(ctx context.Context) error {
	if !n.log.Ready() {
		return errors.New("event log not connected")
	}
	if n.running.Load() < consumerCount {
		return errors.New("consumers not running")
	}
	if err := n.state.Ping(ctx); err != nil {
		return fmt.Errorf("state store: %w", err)
	}
	return nil
}

// waitCaughtUp blocks until every consumer has applied everything in the log.
func (n *node) waitCaughtUp(ctx context.Context) error {
	for {
		head, err := n.log.LastSequence(ctx)
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			// On a busy machine one query of the stream can time out while
			// the log is fine: ask again rather than give up a long load.
			n.logger.Warn("log query timed out; asking again", "err", err)
			continue
		}
		if err != nil {
			return err
		}
		seq, err := n.warehouse.Checkpoint(ctx)
		if err != nil {
			return err
		}
		iseq, err := n.state.IdentityCheckpoint(ctx)
		if err != nil {
			return err
		}
		fseq, err := n.feedbackCheckpoint(ctx)
		if err != nil {
			return err
		}
		jseq, err := n.journeys.Checkpoint(ctx)
		if err != nil {
			return err
		}
		sseq, err := n.segments.Checkpoint(ctx)
		if err != nil {
			return err
		}
		if seq >= head && iseq >= head && fseq >= head && sseq >= head && jseq >= head {
			// Analytics must also attribute events as resolution does.
			return n.feed.Wait(ctx)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// surveys is the node's survey delivery service.
func (n *node) surveys() *survey.Service {
	return &survey.Service{Surveys: n.state, Profiles: n.state, Appender: n.log, Clock: n.clock, BaseURL: strings.TrimRight(n.cfg.PublicURL, "/"),
		Segments: n.segmentsSvc}
}

// workspaceIDs lists every workspace, for scheduled persona discovery.
func (n *node) workspaceIDs(ctx context.Context) ([]string, error) {
	wss, err := n.state.ListWorkspaces(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(wss))
	for i, w := range wss {
		ids[i] = w.ID
	}
	return ids, nil
}

// feedbackCheckpoint is how far the feedback engine has read the log in
// both of its stores.
func (n *node) feedbackCheckpoint(ctx context.Context) (uint64, error) {
	a, err := n.state.FeedbackCheckpoint(ctx)
	if err != nil {
		return 0, err
	}
	b, err := n.warehouse.FeedbackCheckpoint(ctx)
	if err != nil {
		return 0, err
	}
	return min(a, b), nil
}

// httpServer builds the HTTP server over the node's stores, with the
// dashboard.
func (n *node) httpServer(localKey string) (*httpapi.Server, error) {
	dash, err := web.New(web.Config{
		Logger:     n.logger,
		Clock:      n.clock,
		Workspaces: n.state,
		Sources:    n.state,
		APIKeys:    n.state,
		Users:      n.state,
		Sessions:   n.state,
		Profiles:   n.state,
		Events:     n.warehouse,
		Overview:   n.warehouse,
		Surveys:    n.state,
		Feedback:   n.state,
		Metrics:    n.warehouse,
		TextGroups: n.text,
		PublicURL:  n.cfg.PublicURL,
		Analytics:  n.warehouse,
		Activities: n.warehouse,
		Scores:     n.warehouse,
		Version:    version,
		// Segment and persona pages.
		Segments:     n.segmentsSvc,
		Destinations: n.destinations,
		Personas:     n.personas,
		SegmentHints: n.warehouse,

		Journeys:     n.state,
		Deliveries:   n.state,
		Messaging:    n.state,
		Consent:      n.state,
		Orchestrator: n.journeys,
	})
	if err != nil {
		return nil, err
	}
	return httpapi.NewServer(httpapi.Config{
		Logger:       n.logger,
		Clock:        n.clock,
		Appender:     n.log,
		Events:       n.warehouse,
		Workspaces:   n.state,
		Sources:      n.state,
		APIKeys:      n.state,
		Profiles:     n.state,
		Analytics:    n.warehouse,
		Activities:   n.warehouse,
		Scores:       n.warehouse,
		Log:          n.log,
		Ready:        n.ready,
		Registry:     n.registry,
		LocalKey:     localKey,
		RulesChanged: n.rules.Forget,
		Text:         n.text,
		TextGroups:   n.text,
		TextModels:   n.text,
		IdentityMapSynced: func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return n.feed.Wait(ctx)
		},
		Users:       n.state,
		Overview:    n.warehouse,
		Sessions:    dash,
		Dashboard:   dash,
		Surveys:     n.state,
		Feedback:    n.state,
		Metrics:     n.warehouse,
		Delivery:    n.surveys(),
		FeedbackSeq: n.feedbackCheckpoint,

		Journeys:        n.state,
		Orchestrator:    n.journeys,
		Deliveries:      n.state,
		Consent:         n.state,
		Messaging:       n.state,
		JourneysChanged: n.journeys.Forget,
		MessagesQueued:  n.dispatcher.Wake,

		// Metric segment filters and the survey widget's segment rules.
		Segments:     n.segmentsSvc,
		SegmentAdmin: n.segmentsSvc,
		Destinations: n.destinations,
		Personas:     n.personas,
		SegmentsSeq:  n.segments.Checkpoint,
	}), nil
}

// serve runs the HTTP server on addr until ctx is cancelled, then drains
// requests in flight. started is called with the bound address.
func (n *node) serve(ctx context.Context, addr string, started func(addr string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "listen on %s: %s", addr, err.Error())
	}
	localKey := randomKey()
	srv, err := n.httpServer(localKey)
	if err != nil {
		ln.Close()
		return err
	}
	if n.cfg.PublicURL == "" {
		n.dispatcher.SetPublicURL("http://" + ln.Addr().String())
	}
	if err := writeServerFile(n.cfg.Data, ln.Addr().String(), localKey); err != nil {
		ln.Close()
		return err
	}
	defer os.Remove(filepath.Join(n.cfg.Data, serverFile))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	n.logger.Info("serving", "addr", ln.Addr().String(), "data", n.cfg.Data)
	if started != nil {
		started(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	n.logger.Info("shutting down: draining requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		n.logger.Warn("shutdown incomplete", "err", err)
	}
	return nil
}

// close stops consumers (each applies the batch in hand), flushes the log
// and closes the stores, in that order.
func (n *node) close() error {
	if n.consumerCancel != nil {
		n.consumerCancel()
		n.consumers.Wait()
	}
	var errs []error
	if n.log != nil {
		errs = append(errs, n.log.Close())
	}
	if n.warehouse != nil {
		errs = append(errs, n.warehouse.Close())
	}
	if n.state != nil {
		errs = append(errs, n.state.Close())
	}
	if n.lock != nil {
		n.lock.Close()
	}
	return errors.Join(errs...)
}

// serverInfo is what a serving process leaves in the data directory so that
// CLI commands can find and talk to it.
type serverInfo struct {
	Addr     string `json:"addr"`
	PID      int    `json:"pid"`
	LocalKey string `json:"local_key"`
}

func writeServerFile(dir, addr, key string) error {
	b, _ := json.Marshal(serverInfo{Addr: addr, PID: os.Getpid(), LocalKey: key})
	tmp := filepath.Join(dir, serverFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write server file: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, serverFile))
}

// readServerFile returns the running server of a data directory, if any.
func readServerFile(dir string) (*serverInfo, bool) {
	b, err := os.ReadFile(filepath.Join(dir, serverFile))
	if err != nil {
		return nil, false
	}
	var si serverInfo
	if json.Unmarshal(b, &si) != nil || si.Addr == "" {
		return nil, false
	}
	return &si, true
}

func randomKey() string {
	return "tpl_" + rand.Text()
}
