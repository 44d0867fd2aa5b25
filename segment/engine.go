package segment

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/feedback"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

// ConsumerName is the engine's name as a log consumer.
const ConsumerName = "segments"

// Config is what the engine needs.
type Config struct {
	Store     Store
	Analytics Analytics
	// Appender records segment.entered and segment.exited in the log.
	Appender touchpoint.EventAppender
	Clock    touchpoint.Clock
	Logger   *slog.Logger
	// SweepEvery is how often Run evaluates again the profiles whose
	// windows time moved past (default one minute).
	SweepEvery time.Duration
	// Delivered, if set, is called after a pass queued deliveries to
	// destinations, to wake their sender.
	Delivered func()
	// Stopping, when closed, ends waits for the other consumers.
	Stopping <-chan struct{}
}

// Engine keeps segment membership up to date. See the package
// documentation for how.
type Engine struct {
	cfg      Config
	hashSeed maphash.Seed
	wake     chan struct{}

	// mu serialises passes: log batches, sweeps and definition changes.
	mu     sync.Mutex
	loaded bool
	ck     Checkpoint
	ids    *idMap
	ws     map[string]*wsState
	// mirrorStale asks the next pass to copy every membership to the
	// analytics store, after a copy failed.
	mirrorStale bool
}

// wsState is one workspace's segments and the facts they read.
type wsState struct {
	name  string
	segs  map[string]*liveSegment
	order []*liveSegment // dependencies first
	facts map[string]*factState
	// Facts by the events they match: "type\x00name", "type" for matches
	// of a type without names, and matches of any event.
	byName    map[string][]factMatch
	byType    map[string][]factMatch
	anyEvent  []factMatch
	sentiment []*factState
	traits    bool
	computed  bool
	accounts  bool
}

type liveSegment struct {
	def       *touchpoint.Segment
	plan      *Plan
	members   map[int32]struct{}
	evaluated int
	// seeding is set while a new or changed definition waits for its
	// seed in the current pass: whoever enters it then, even a customer
	// an identity change touched first, enters because of the definition.
	seeding bool
}

type factMatch struct {
	fs *factState
	m  Match
}

// NewEngine returns an engine; nothing is read until the first pass.
func NewEngine(cfg Config) *Engine {
	if cfg.Clock == nil {
		cfg.Clock = touchpoint.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = time.Minute
	}
	return &Engine{cfg: cfg, hashSeed: maphash.MakeSeed(), wake: make(chan struct{}, 1)}
}

// SetStopping makes waits for the other consumers end when ch closes. It
// must be called before the engine runs.
func (e *Engine) SetStopping(ch <-chan struct{}) { e.cfg.Stopping = ch }

// Checkpoint is the last log sequence the engine applied.
func (e *Engine) Checkpoint(ctx context.Context) (uint64, error) {
	ck, err := e.cfg.Store.SegmentCheckpoint(ctx)
	return ck.Seq, err
}

// Notify tells the engine definitions changed. It never blocks.
func (e *Engine) Notify() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run applies definition changes when notified and sweeps for windows that
// time moved past, until ctx is done.
func (e *Engine) Run(ctx context.Context) error {
	t := time.NewTicker(e.cfg.SweepEvery)
	defer t.Stop()
	pause := time.Second
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-e.wake:
			err = e.Refresh(ctx)
		case <-t.C:
			err = e.Sweep(ctx)
		}
		if err != nil && ctx.Err() == nil {
			e.cfg.Logger.Error("segments: pass failed; retrying", "err", err, "retry_in", pause)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(pause):
			}
			pause = min(pause*2, time.Minute)
			e.Notify()
			continue
		}
		pause = time.Second
	}
}

// now is the clock's time at the analytics store's precision, so both
// evaluators draw windows at the same instant.
func (e *Engine) now() time.Time { return e.cfg.Clock.Now().UTC().Truncate(time.Microsecond) }

func (e *Engine) hash(s string) uint64 { return maphash.String(e.hashSeed, s) }

// reset forgets everything in memory after a failed pass changed it:
// the next pass loads the stores' state again.
func (e *Engine) reset() {
	e.loaded, e.ids, e.ws = false, nil, nil
}

// waitFor waits until get reports at least seq.
func (e *Engine) waitFor(ctx context.Context, what string, seq uint64, get func(context.Context) (uint64, error)) error {
	pause := time.Millisecond
	for {
		got, err := get(ctx)
		if err != nil {
			return err
		}
		if got >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-e.cfg.Stopping:
			return fmt.Errorf("segments: stopped while waiting for %s", what)
		case <-time.After(pause):
		}
		pause = min(pause*2, 50*time.Millisecond)
	}
}

// ---- loading ---------------------------------------------------------------

// load reads the stores' state: the checkpoint, who is who, definitions,
// facts rebuilt from the analytics store up to the checkpoint, and
// membership. Segments whose definition changed since they were last
// evaluated are evaluated again.
func (e *Engine) load(ctx context.Context) error {
	if e.loaded {
		return nil
	}
	start := time.Now()
	ck, err := e.cfg.Store.SegmentCheckpoint(ctx)
	if err != nil {
		return err
	}
	e.flushOutbox(ctx)
	// Who is who must include every identifier of the events the engine
	// has applied, or their facts would be rebuilt without them.
	if err := e.waitFor(ctx, "identity resolution", ck.Seq, e.cfg.Store.IdentityCheckpoint); err != nil {
		return err
	}
	ids := newIDMap()
	merged := map[string]string{}
	change, err := e.cfg.Store.SegmentIdentities(ctx, func(id, ws, into string) {
		ids.row(id, ws)
		if into != "" {
			merged[id] = into
		}
	}, func(ws, kind, value, row string) {
		if n, ok := ids.byID[row]; ok {
			ids.attach(ws, kind, value, n)
		}
	})
	if err != nil {
		return err
	}
	for id, into := range merged {
		// Follow the chain to the profile the row reads as now.
		c := into
		for i := 0; i < 64; i++ {
			next, ok := merged[c]
			if !ok {
				break
			}
			c = next
		}
		if n, ok := ids.byID[c]; ok {
			ids.setCanon(ids.byID[id], n)
		}
	}
	defs, err := e.cfg.Store.AllSegments(ctx)
	if err != nil {
		return err
	}
	e.ck, e.ids, e.ws = ck, ids, map[string]*wsState{}
	// Touch what identity resolution changed since the last pass.
	r := e.newRun(touchpoint.ReasonEvent)
	if ck.IdentityChange < change {
		if err := e.identityChanges(ctx, r, ck.IdentityChange, change, false); err != nil {
			return err
		}
	}
	e.ck.IdentityChange = change
	var stale []*liveSegment
	for _, d := range defs {
		ls, err := e.install(d)
		if err != nil {
			e.cfg.Logger.Error("segments: definition cannot run", "segment", d.ID, "err", err)
			continue
		}
		if ls.evaluated < d.Version {
			stale = append(stale, ls)
		}
	}
	for _, w := range e.ws {
		w.sortSegments()
	}
	if err := e.buildFacts(ctx); err != nil {
		return err
	}
	err = e.cfg.Store.LoadSegmentMembers(ctx, func(ws, seg, profile string) error {
		w := e.ws[ws]
		if w == nil || w.segs[seg] == nil {
			return nil
		}
		p, ok := ids.byID[profile]
		if !ok {
			return nil
		}
		w.segs[seg].members[p] = struct{}{}
		if ids.canon(p) != p {
			// Merged into another profile since: it leaves quietly.
			r.touch(ws, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.loaded = true
	if m, err := e.cfg.Analytics.SegmentMembersCheckpoint(ctx); err != nil || m != e.ck.ChangedPass {
		e.mirrorStale = true
	}
	e.cfg.Logger.Info("segments: loaded", "segments", len(defs), "profiles", len(ids.rows), "took", time.Since(start).Round(time.Millisecond))
	if len(stale) > 0 {
		for _, ls := range stale {
			e.reseed(r, ls)
		}
	}
	return e.finish(ctx, r, e.ck.Seq, time.Time{})
}

// install compiles a definition into the workspace's live segments.
func (e *Engine) install(d *touchpoint.Segment) (*liveSegment, error) {
	p, err := Compile(&d.Condition, Options{})
	if err != nil {
		return nil, err
	}
	w := e.ws[d.Workspace]
	if w == nil {
		w = &wsState{name: d.Workspace, segs: map[string]*liveSegment{}, facts: map[string]*factState{}}
		e.ws[d.Workspace] = w
	}
	ls := &liveSegment{def: d, plan: p, members: map[int32]struct{}{}, evaluated: d.EvaluatedVersion}
	if old := w.segs[d.ID]; old != nil {
		ls.members = old.members
		w.release(old.plan)
	}
	// Nodes read facts by pointer: point them at the workspace's shared
	// fact of the same key.
	for i, f := range p.Facts {
		fs := w.facts[f.Key]
		if fs == nil {
			fs = newFactState(f, d.Workspace)
			w.facts[f.Key] = fs
		} else if f.Keep > fs.fact.Keep {
			// Needs more events kept than the fact holds: rebuild it.
			fs = newFactState(f, d.Workspace)
			fs.refs = w.facts[f.Key].refs
			w.facts[f.Key] = fs
		}
		fs.refs++
		p.Facts[i] = fs.fact
	}
	relink(p.Root, w)
	w.segs[d.ID] = ls
	w.reindex()
	return ls, nil
}

// relink points a plan's nodes at the workspace's facts and records the
// windows each fact is read with.
func relink(n *Node, w *wsState) {
	if n.Fact != nil {
		fs := w.facts[n.Fact.Key]
		n.Fact = fs.fact
		fs.addWindow(n.Window)
		if n.TimeOp == touchpoint.OpWithinLast || n.TimeOp == touchpoint.OpMoreThan {
			fs.addWindow(max(n.Days, 1))
		}
	}
	for _, k := range n.Kids {
		relink(k, w)
	}
}

// release drops a plan's hold on its facts, forgetting unused ones.
func (w *wsState) release(p *Plan) {
	for _, f := range p.Facts {
		if fs := w.facts[f.Key]; fs != nil {
			fs.refs--
			if fs.refs <= 0 {
				delete(w.facts, f.Key)
			}
		}
	}
}

// reindex rebuilds the lookup of facts by event and what profile data
// the workspace's plans read.
func (w *wsState) reindex() {
	w.byName, w.byType, w.anyEvent, w.sentiment = map[string][]factMatch{}, map[string][]factMatch{}, nil, nil
	w.traits, w.computed, w.accounts = false, false, false
	for _, fs := range w.facts {
		if fs.fact.Kind == FactSentiment {
			w.sentiment = append(w.sentiment, fs)
			continue
		}
		for _, m := range fs.fact.Match {
			fm := factMatch{fs, m}
			switch {
			case len(m.Names) > 0:
				for _, n := range m.Names {
					w.byName[m.Type+"\x00"+n] = append(w.byName[m.Type+"\x00"+n], fm)
				}
			case m.Type != "":
				w.byType[m.Type] = append(w.byType[m.Type], fm)
			default:
				w.anyEvent = append(w.anyEvent, fm)
			}
		}
	}
	for _, ls := range w.segs {
		w.traits = w.traits || ls.plan.Traits
		w.computed = w.computed || ls.plan.Computed
		w.accounts = w.accounts || ls.plan.Accounts
	}
}

// sortSegments orders segments so that those others read come first.
func (w *wsState) sortSegments() {
	w.order = w.order[:0]
	state := map[string]int{}
	var visit func(id string)
	visit = func(id string) {
		ls := w.segs[id]
		if ls == nil || state[id] != 0 {
			return
		}
		state[id] = 1
		for _, ref := range ls.plan.Refs {
			visit(ref)
		}
		state[id] = 2
		w.order = append(w.order, ls)
	}
	ids := make([]string, 0, len(w.segs))
	for id := range w.segs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		visit(id)
	}
}

// buildFacts fills facts that are empty from the analytics store, with the
// events up to the checkpoint: the same events the engine has applied.
func (e *Engine) buildFacts(ctx context.Context) error {
	var todo []*factState
	for _, w := range e.ws {
		for _, fs := range w.facts {
			if !fs.built() {
				todo = append(todo, fs)
			}
		}
	}
	if len(todo) == 0 || e.ck.Seq == 0 {
		for _, fs := range todo {
			fs.ready = true
		}
		return nil
	}
	if err := e.waitFor(ctx, "analytics", e.ck.Seq, e.cfg.Analytics.Checkpoint); err != nil {
		return err
	}
	// Events are attributed by the identifiers resolution knows; it must
	// have seen them all.
	if err := e.waitFor(ctx, "identity resolution", e.ck.Seq, e.cfg.Store.IdentityCheckpoint); err != nil {
		return err
	}
	for _, fs := range todo {
		if fs.fact.Kind == FactSentiment {
			if err := e.waitFor(ctx, "feedback", e.ck.Seq, e.cfg.Analytics.FeedbackCheckpoint); err != nil {
				return err
			}
		}
		start := time.Now()
		n := 0
		err := e.cfg.Analytics.LoadFact(ctx, fs.ws, fs.fact, e.ck.Seq, func(r FactRow) error {
			n++
			row := e.ids.lookup(fs.ws, touchpoint.KindUserID, r.UserID)
			if row < 0 {
				row = e.ids.lookup(fs.ws, touchpoint.KindAnonymousID, r.AnonymousID)
			}
			if row < 0 {
				return nil
			}
			ts := r.Time.UTC().Truncate(time.Microsecond).UnixNano()
			switch fs.fact.Kind {
			case FactCount, FactSentiment:
				fs.addCount(row, ts, e.hash(r.Key), false)
			case FactLatest:
				fs.addLatest(row, latestEntry{ts: ts, s: r.Text, f: r.Number})
			case FactEarliest:
				fs.addEarliest(row, ts)
			}
			return nil
		})
		if err != nil {
			return err
		}
		fs.ready = true
		e.cfg.Logger.Debug("segments: fact built", "workspace", fs.ws, "rows", n, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// ---- passes ----------------------------------------------------------------

// run is one pass in progress: the profiles to evaluate, the changes made.
type run struct {
	e       *Engine
	now     time.Time
	reason  string
	touched map[string]map[int32]struct{}
	changes []Change
	// drops are memberships of profiles merged into others.
	drops int
	seeds []seedJob
}

func (e *Engine) newRun(reason string) *run {
	return &run{e: e, now: e.now(), reason: reason, touched: map[string]map[int32]struct{}{}}
}

func (r *run) touch(ws string, p int32) {
	t := r.touched[ws]
	if t == nil {
		t = map[int32]struct{}{}
		r.touched[ws] = t
	}
	t[p] = struct{}{}
}

// Apply is the engine's log handler: it folds a batch's events into facts,
// evaluates the profiles they touched, and commits the changes with the
// batch's sequence.
func (e *Engine) Apply(ctx context.Context, b tplog.Batch) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.load(ctx); err != nil {
		e.reset()
		return err
	}
	if b.LastSequence <= e.ck.Seq {
		return nil
	}
	if err := e.apply(ctx, b); err != nil {
		e.reset()
		return err
	}
	return nil
}

func (e *Engine) apply(ctx context.Context, b tplog.Batch) error {
	r := e.newRun(touchpoint.ReasonEvent)
	active := false
	for _, w := range e.ws {
		if len(w.segs) > 0 {
			active = true
		}
	}
	if active {
		// Events are attributed, and traits read, as identity resolution
		// left them after this batch.
		if err := e.waitFor(ctx, "identity resolution", b.LastSequence, e.cfg.Store.IdentityCheckpoint); err != nil {
			return err
		}
	}
	if err := e.identityChanges(ctx, r, e.ck.IdentityChange, 0, true); err != nil {
		return err
	}
	if active {
		var feedback []*touchpoint.Event
		for i := range b.Events {
			ev := &b.Events[i]
			w := e.ws[ev.Workspace]
			if w == nil {
				continue
			}
			e.event(r, w, ev)
			if len(w.sentiment) > 0 && ev.Type == touchpoint.TypeTrack && (ev.Event == touchpoint.EventSurveyResponded || ev.Event == touchpoint.EventFeedbackReceived) {
				feedback = append(feedback, ev)
			}
		}
		if len(feedback) > 0 {
			if err := e.feedback(ctx, r, feedback, b.LastSequence); err != nil {
				return err
			}
		}
		if err := e.accountMembers(ctx, r, b.Events); err != nil {
			return err
		}
	}
	if err := r.evaluate(ctx); err != nil {
		return err
	}
	return e.finish(ctx, r, b.LastSequence, time.Time{})
}

// event folds one event into the facts of the row it belongs to.
func (e *Engine) event(r *run, w *wsState, ev *touchpoint.Event) {
	row := e.ids.attribute(ev)
	if row < 0 {
		return
	}
	p := e.ids.canon(row)
	// Profile data changes with events: computed counts with every one,
	// traits with identify calls, accounts with group calls.
	if w.computed || w.traits && ev.Type == touchpoint.TypeIdentify || w.accounts && ev.Type == touchpoint.TypeGroup {
		r.touch(w.name, p)
	}
	name := ev.Event
	if ev.Type != touchpoint.TypeTrack {
		name = ev.Name
	}
	ts := ev.Timestamp.UTC().Truncate(time.Microsecond).UnixNano()
	pr := props{raw: ev.Properties}
	var key uint64
	hashed := false
	apply := func(list []factMatch) {
		for _, fm := range list {
			if !fm.fs.ready || !matches(fm.m, ev, &pr) {
				continue
			}
			changed := false
			switch fm.fs.fact.Kind {
			case FactCount:
				if !hashed {
					key, hashed = e.hash(ev.ID), true
				}
				changed = fm.fs.addCount(row, ts, key, false)
			case FactEarliest:
				changed = fm.fs.addEarliest(row, ts)
			case FactLatest:
				le := latestEntry{ts: ts}
				switch fm.fs.fact.ValueKind {
				case ValueEvent:
					le.s = ev.Event
				case ValueText:
					v := pr.get(fm.fs.fact.Property)
					if v.kind != jString {
						continue
					}
					le.s = v.s
				case ValueNumber:
					f, ok := pr.get(fm.fs.fact.Property).number()
					if !ok {
						continue
					}
					le.f = f
				}
				changed = fm.fs.addLatest(row, le)
			}
			if changed {
				r.touch(w.name, p)
			}
		}
	}
	apply(w.byName[string(ev.Type)+"\x00"+name])
	apply(w.byType[string(ev.Type)])
	apply(w.anyEvent)
}

// matches reports whether an event passes a match.
func matches(m Match, ev *touchpoint.Event, pr *props) bool {
	if m.Own && IsPlatformAction(ev) {
		return false
	}
	if m.Type != "" && m.Type != string(ev.Type) {
		return false
	}
	if len(m.Names) > 0 {
		name := ev.Event
		if ev.Type == touchpoint.TypePage || ev.Type == touchpoint.TypeScreen {
			name = ev.Name
		}
		if !slices.Contains(m.Names, name) {
			return false
		}
	}
	if m.Channel != "" && m.Channel != ev.Channel {
		return false
	}
	for _, w := range m.Where {
		if !pr.get(w.Property).holds(Comparison{w.Op, w.Value}) {
			return false
		}
	}
	return true
}

// feedback counts a batch's feedback items by sentiment, once the
// feedback engine has analysed them.
func (e *Engine) feedback(ctx context.Context, r *run, events []*touchpoint.Event, seq uint64) error {
	if err := e.waitFor(ctx, "feedback", seq, e.cfg.Store.FeedbackCheckpoint); err != nil {
		return err
	}
	byWS := map[string][]string{}
	for _, ev := range events {
		for _, it := range feedbackIDs(ev) {
			if !slices.Contains(byWS[ev.Workspace], it) {
				byWS[ev.Workspace] = append(byWS[ev.Workspace], it)
			}
		}
	}
	for ws, ids := range byWS {
		items, err := e.cfg.Store.FeedbackSentiments(ctx, ws, ids)
		if err != nil {
			return err
		}
		w := e.ws[ws]
		for _, id := range ids {
			it, ok := items[id]
			if !ok {
				continue
			}
			row := e.ids.lookup(ws, touchpoint.KindUserID, it.UserID)
			if row < 0 {
				row = e.ids.lookup(ws, touchpoint.KindAnonymousID, it.AnonymousID)
			}
			if row < 0 {
				continue
			}
			key := e.hash(id)
			ts := it.CreatedAt.UTC().Truncate(time.Microsecond).UnixNano()
			changed := false
			for _, fs := range w.sentiment {
				if !fs.ready {
					continue
				}
				if fs.fact.Sentiment == it.Sentiment {
					changed = fs.addCount(row, ts, key, true) || changed
				} else {
					changed = fs.removeCount(row, key) || changed
				}
			}
			if changed {
				r.touch(ws, e.ids.canon(row))
			}
		}
	}
	return nil
}

// accountMembers evaluates every member of an account whose traits a
// group call changed, when a segment reads account traits.
func (e *Engine) accountMembers(ctx context.Context, r *run, events []touchpoint.Event) error {
	seen := map[string]bool{}
	for i := range events {
		ev := &events[i]
		w := e.ws[ev.Workspace]
		if w == nil || !w.accounts || ev.Type != touchpoint.TypeGroup || ev.GroupID == "" || len(ev.Traits) <= 2 {
			continue
		}
		k := ev.Workspace + "\x00" + ev.GroupID
		if seen[k] {
			continue
		}
		seen[k] = true
		rows, err := e.cfg.Store.AccountMemberRows(ctx, ev.Workspace, ev.GroupID)
		if err != nil {
			return err
		}
		for _, id := range rows {
			if n, ok := e.ids.byID[id]; ok {
				r.touch(ev.Workspace, e.ids.canon(n))
			}
		}
	}
	return nil
}

// identityChanges follows identity resolution's changes after seq (up to
// upto, or all there are with upto 0), into the engine's map when apply
// is set, and touches the profiles whose answers they may change.
func (e *Engine) identityChanges(ctx context.Context, r *run, after, upto uint64, apply bool) error {
	for {
		changes, err := e.cfg.Store.IdentityChanges(ctx, after, 10000)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if upto > 0 && c.Seq > upto {
				return nil
			}
			after = c.Seq
			w := e.ws[c.Workspace]
			if !apply {
				// Loading: the map already holds the changes; only touch.
				if w != nil {
					if n, ok := e.ids.byID[c.Profile]; ok {
						r.touch(c.Workspace, e.ids.canon(n))
					}
					if n, ok := e.ids.byID[c.Row]; ok {
						r.touch(c.Workspace, n)
					}
				}
				continue
			}
			e.ck.IdentityChange = c.Seq
			if c.Traits {
				if w != nil && w.traits {
					if n, ok := e.ids.byID[c.Profile]; ok {
						r.touch(c.Workspace, e.ids.canon(n))
					}
				}
				continue
			}
			_, known := e.ids.byID[c.Row]
			row := e.ids.row(c.Row, c.Workspace)
			canon := e.ids.row(c.Profile, c.Workspace)
			if c.Identifier != nil {
				e.ids.attach(c.Workspace, c.Identifier.Kind, c.Identifier.Value, row)
			}
			old := e.ids.canon(row)
			e.ids.setCanon(row, canon)
			if w == nil {
				continue
			}
			if !known || old != canon {
				r.touch(c.Workspace, canon)
			}
			if old != canon {
				// The profile the row read as lost it: a merge (the row was
				// a profile of its own, and leaves its segments) or an
				// unmerge (the other profile has fewer events now).
				r.touch(c.Workspace, old)
			}
		}
		if len(changes) < 10000 {
			return nil
		}
	}
}

// evaluate decides membership for every touched profile.
func (r *run) evaluate(ctx context.Context) error {
	for ws, set := range r.touched {
		w := r.e.ws[ws]
		if w == nil || len(w.segs) == 0 {
			continue
		}
		ps := make([]int32, 0, len(set))
		for p := range set {
			ps = append(ps, p)
		}
		slices.Sort(ps)
		if err := r.decide(ctx, w, ps, w.order); err != nil {
			return err
		}
	}
	return nil
}

// decide evaluates segs (in dependency order) for profiles ps and records
// the changes. Profiles whose answer needs their traits, computed counts
// or accounts are decided once those are read, a chunk at a time.
func (r *run) decide(ctx context.Context, w *wsState, ps []int32, segs []*liveSegment) error {
	e := r.e
	ev := &evaluator{now: r.now, ids: e.ids,
		facts: func(f *Fact) *factState { return w.facts[f.Key] },
		data:  func(int32) *ProfileData { return nil }}
	answers := map[string]tri{}
	ev.member = func(id string, p int32) tri {
		if a, ok := answers[id]; ok {
			return a
		}
		ls := w.segs[id]
		if ls == nil {
			return tFalse
		}
		_, in := ls.members[p]
		return triOf(in)
	}
	var later []int32
	for _, p := range ps {
		if e.ids.canon(p) != p {
			r.leave(w, p, segs)
			continue
		}
		clear(answers)
		unknown := false
		for _, ls := range segs {
			a := ev.eval(ls.plan.Root, p)
			answers[ls.def.ID] = a
			if a == tUnknown {
				unknown = true
			}
		}
		if unknown {
			later = append(later, p)
			continue
		}
		r.record(w, p, segs, answers)
	}
	const chunk = 2000
	for len(later) > 0 {
		n := min(chunk, len(later))
		part := later[:n]
		later = later[n:]
		groups := make(map[string][]string, len(part))
		for _, p := range part {
			var rows []string
			for _, row := range e.ids.rowsOf(p) {
				rows = append(rows, e.ids.rows[row].id)
			}
			groups[e.ids.rows[p].id] = rows
		}
		data, err := e.cfg.Store.SegmentProfileData(ctx, w.name, groups)
		if err != nil {
			return err
		}
		empty := &ProfileData{}
		for _, p := range part {
			d := data[e.ids.rows[p].id]
			if d == nil {
				d = empty
			}
			ev.data = func(int32) *ProfileData { return d }
			clear(answers)
			for _, ls := range segs {
				answers[ls.def.ID] = ev.eval(ls.plan.Root, p)
			}
			r.record(w, p, segs, answers)
		}
		ev.data = func(int32) *ProfileData { return nil }
	}
	return nil
}

// record compares answers with membership and notes the changes.
func (r *run) record(w *wsState, p int32, segs []*liveSegment, answers map[string]tri) {
	for _, ls := range segs {
		in := answers[ls.def.ID] == tTrue
		_, was := ls.members[p]
		if in == was {
			continue
		}
		if in {
			ls.members[p] = struct{}{}
		} else {
			delete(ls.members, p)
		}
		reason := r.reason
		if ls.seeding {
			reason = touchpoint.ReasonDefinition
		}
		r.changes = append(r.changes, Change{Workspace: w.name, SegmentID: ls.def.ID, ProfileID: r.e.ids.rows[p].id,
			Entered: in, Reason: reason, At: r.now})
	}
}

// leave takes a profile that was merged into another out of its segments,
// without events: its events now belong to the other profile, which is
// evaluated in its own right.
func (r *run) leave(w *wsState, p int32, segs []*liveSegment) {
	for _, ls := range segs {
		if _, was := ls.members[p]; !was {
			continue
		}
		delete(ls.members, p)
		r.drops++
		r.changes = append(r.changes, Change{Workspace: w.name, SegmentID: ls.def.ID, ProfileID: r.e.ids.rows[p].id,
			Reason: touchpoint.ReasonMerge, At: r.now})
	}
}

// seed evaluates a new or changed segment for every profile of its
// workspace, and the segments that read it.
func (e *Engine) reseed(r *run, ls *liveSegment) {
	w := e.ws[ls.def.Workspace]
	segs := []*liveSegment{}
	// The segment and every segment that reads it, in order.
	affected := map[string]bool{ls.def.ID: true}
	for _, s := range w.order {
		for _, ref := range s.plan.Refs {
			if affected[ref] {
				affected[s.def.ID] = true
			}
		}
		if affected[s.def.ID] {
			segs = append(segs, s)
		}
	}
	r.seeds = append(r.seeds, seedJob{w: w, segs: segs})
	ls.evaluated = ls.def.Version
}

type seedJob struct {
	w    *wsState
	segs []*liveSegment
}

// finish runs the pass's seeds and commits it with sequence seq (and the
// sweep's time, if it is one).
func (e *Engine) finish(ctx context.Context, r *run, seq uint64, swept time.Time) error {
	seedReason := r.reason
	for _, job := range r.seeds {
		var ps []int32
		e.ids.profiles(job.w.name, func(p int32) { ps = append(ps, p) })
		// Members that are no longer profiles of their own leave too.
		for _, ls := range job.segs {
			for p := range ls.members {
				if e.ids.canon(p) != p {
					ps = append(ps, p)
				}
			}
		}
		r.reason = touchpoint.ReasonDefinition
		if err := r.decide(ctx, job.w, ps, job.segs); err != nil {
			return err
		}
		for _, ls := range job.segs {
			ls.seeding = false
		}
	}
	r.reason = seedReason
	ck := e.ck
	ck.Seq = max(ck.Seq, seq)
	if !swept.IsZero() {
		ck.SweptAt = swept
	} else if ck.SweptAt.IsZero() {
		// Every profile was last evaluated now or later than the pass
		// that seeded its segments: the first sweep starts from here.
		ck.SweptAt = r.now
	}
	if len(r.changes) == 0 && len(r.evaluated()) == 0 && ck == e.ck && !e.mirrorStale {
		return nil
	}
	ck.Pass++
	if len(r.changes) > 0 || e.mirrorStale {
		ck.ChangedPass = ck.Pass
	}
	pass := &Pass{Checkpoint: ck, At: r.now, Evaluated: r.evaluated()}
	e.events(r, pass)
	if err := e.cfg.Store.CommitSegmentPass(ctx, pass); err != nil {
		return err
	}
	e.ck = ck
	for _, job := range r.seeds {
		for _, ls := range job.segs {
			ls.def.EvaluatedVersion = ls.def.Version
		}
	}
	r.seeds = nil
	if pass.ChangedPass == pass.Pass {
		e.mirror(ctx, pass)
	}
	if len(pass.Outbox) > 0 {
		e.flushOutbox(ctx)
	}
	if len(pass.Deliveries) > 0 && e.cfg.Delivered != nil {
		e.cfg.Delivered()
	}
	return nil
}

func (r *run) evaluated() []Evaluated {
	var out []Evaluated
	for _, job := range r.seeds {
		for _, ls := range job.segs {
			out = append(out, Evaluated{Workspace: ls.def.Workspace, SegmentID: ls.def.ID, Version: ls.def.Version})
		}
	}
	return out
}

// events makes the segment.entered and segment.exited events of a pass's
// changes, and the deliveries to destinations.
func (e *Engine) events(r *run, pass *Pass) {
	type member struct {
		ProfileID string `json:"profile_id"`
		UserID    string `json:"user_id,omitempty"`
	}
	type batch struct {
		entered, exited []member
	}
	bySeg := map[[2]string]*batch{}
	var order [][2]string
	for i := range r.changes {
		c := &r.changes[i]
		w := e.ws[c.Workspace]
		ls := w.segs[c.SegmentID]
		p := e.ids.byID[c.ProfileID]
		uid := e.ids.userID(p)
		if c.Reason != touchpoint.ReasonMerge {
			name := touchpoint.EventSegmentExited
			if c.Entered {
				name = touchpoint.EventSegmentEntered
			}
			c.EventID = fmt.Sprintf("seg:%s:%s:%d:%s", c.SegmentID, c.ProfileID, pass.Pass, map[bool]string{true: "entered", false: "exited"}[c.Entered])
			ev, err := touchpoint.PlatformEvent{ID: c.EventID, Workspace: c.Workspace, ProfileID: c.ProfileID, UserID: uid,
				Event: name, Timestamp: r.now, Properties: map[string]any{"segment_id": c.SegmentID, "segment_name": ls.def.Name}}.Build()
			if err == nil {
				pass.Outbox = append(pass.Outbox, ev)
			}
		}
		k := [2]string{c.Workspace, c.SegmentID}
		b := bySeg[k]
		if b == nil {
			b = &batch{}
			bySeg[k] = b
			order = append(order, k)
		}
		if c.Entered {
			b.entered = append(b.entered, member{c.ProfileID, uid})
		} else {
			b.exited = append(b.exited, member{c.ProfileID, uid})
		}
	}
	pass.Changes = r.changes
	const perDelivery = 1000
	for _, k := range order {
		b := bySeg[k]
		ls := e.ws[k[0]].segs[k[1]]
		for len(b.entered)+len(b.exited) > 0 {
			n := min(perDelivery, len(b.entered))
			m := min(perDelivery-n, len(b.exited))
			body, _ := json.Marshal(map[string]any{"type": "segment.changed", "pass": pass.Pass,
				"segment": map[string]string{"id": k[1], "name": ls.def.Name, "workspace": k[0]},
				"entered": orEmpty(b.entered[:n]), "exited": orEmpty(b.exited[:m]), "at": r.now})
			pass.Deliveries = append(pass.Deliveries, Delivery{Workspace: k[0], SegmentID: k[1], Body: body})
			b.entered, b.exited = b.entered[n:], b.exited[m:]
		}
	}
}

func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// mirror copies a pass's changes to the analytics store's segment_members.
// A failed copy is redone whole at the next pass.
func (e *Engine) mirror(ctx context.Context, pass *Pass) {
	if e.mirrorStale {
		err := e.cfg.Analytics.ReplaceSegmentMembers(ctx, func(yield func(MemberChange) error) error {
			for _, w := range e.ws {
				for _, ls := range w.segs {
					for p := range ls.members {
						if err := yield(MemberChange{Workspace: w.name, SegmentID: ls.def.ID, ProfileID: e.ids.rows[p].id, In: true}); err != nil {
							return err
						}
					}
				}
			}
			return nil
		}, pass.Pass)
		if err != nil {
			e.cfg.Logger.Error("segments: copy of members to analytics failed; retrying at the next pass", "err", err)
			return
		}
		e.mirrorStale = false
		return
	}
	changes := make([]MemberChange, 0, len(pass.Changes))
	for _, c := range pass.Changes {
		changes = append(changes, MemberChange{Workspace: c.Workspace, SegmentID: c.SegmentID, ProfileID: c.ProfileID, In: c.Entered})
	}
	if err := e.cfg.Analytics.ApplySegmentMembers(ctx, changes, pass.Pass); err != nil {
		e.cfg.Logger.Error("segments: copy of members to analytics failed; retrying at the next pass", "err", err)
		e.mirrorStale = true
	}
}

// flushOutbox appends committed events to the log. What fails stays in
// the outbox for the next pass; ids are deterministic, so an event
// appended twice (a crash between append and clear) is stored once.
func (e *Engine) flushOutbox(ctx context.Context) {
	if e.cfg.Appender == nil {
		return
	}
	events, err := e.cfg.Store.SegmentOutbox(ctx)
	if err != nil || len(events) == 0 {
		if err != nil {
			e.cfg.Logger.Error("segments: read outbox", "err", err)
		}
		return
	}
	const chunk = 5000
	for len(events) > 0 {
		n := min(chunk, len(events))
		part := events[:n]
		events = events[n:]
		if err := e.cfg.Appender.Append(ctx, part); err != nil {
			e.cfg.Logger.Error("segments: append membership events; retrying at the next pass", "err", err)
			return
		}
		ids := make([]string, len(part))
		for i := range part {
			ids[i] = part[i].ID
		}
		if err := e.cfg.Store.ClearSegmentOutbox(ctx, ids); err != nil {
			e.cfg.Logger.Error("segments: clear outbox", "err", err)
			return
		}
	}
}

// Sweep evaluates again the profiles whose windows time moved past since
// the last sweep: "did not open the app in 14 days" becomes true with no
// event at all.
func (e *Engine) Sweep(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.load(ctx); err != nil {
		e.reset()
		return err
	}
	r := e.newRun(touchpoint.ReasonTime)
	from := e.ck.SweptAt
	if from.IsZero() || from.After(r.now) {
		from = r.now
	}
	for _, w := range e.ws {
		for _, fs := range w.facts {
			fs.crossing(from, r.now, func(row int32) { r.touch(w.name, e.ids.canon(row)) })
		}
	}
	if err := r.evaluate(ctx); err != nil {
		e.reset()
		return err
	}
	if err := e.finish(ctx, r, 0, r.now); err != nil {
		e.reset()
		return err
	}
	return nil
}

// Refresh applies definition changes: new and changed segments are
// evaluated for everyone, deleted ones forgotten.
func (e *Engine) Refresh(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.loaded {
		if err := e.load(ctx); err != nil {
			e.reset()
			return err
		}
		return nil
	}
	if err := e.refresh(ctx); err != nil {
		e.reset()
		return err
	}
	return nil
}

func (e *Engine) refresh(ctx context.Context) error {
	defs, err := e.cfg.Store.AllSegments(ctx)
	if err != nil {
		return err
	}
	// Changes from identity are events' doing; seeds record "definition".
	r := e.newRun(touchpoint.ReasonEvent)
	present := map[[2]string]bool{}
	var changed []*liveSegment
	for _, d := range defs {
		present[[2]string{d.Workspace, d.ID}] = true
		w := e.ws[d.Workspace]
		var old *liveSegment
		if w != nil {
			old = w.segs[d.ID]
		}
		if old != nil && old.def.Version == d.Version {
			old.def = d
			continue
		}
		ls, err := e.install(d)
		if err != nil {
			e.cfg.Logger.Error("segments: definition cannot run", "segment", d.ID, "err", err)
			continue
		}
		if ls.evaluated < d.Version {
			changed = append(changed, ls)
		}
	}
	var gone []MemberChange
	for _, w := range e.ws {
		for id, ls := range w.segs {
			if present[[2]string{w.name, id}] {
				continue
			}
			for p := range ls.members {
				gone = append(gone, MemberChange{Workspace: w.name, SegmentID: id, ProfileID: e.ids.rows[p].id})
			}
			w.release(ls.plan)
			delete(w.segs, id)
		}
		w.reindex()
		w.sortSegments()
	}
	if len(gone) > 0 {
		if err := e.cfg.Analytics.ApplySegmentMembers(ctx, gone, e.ck.ChangedPass); err != nil {
			e.mirrorStale = true
		}
	}
	// New facts are attributed with who is who now: follow identity
	// resolution first (it has seen every event applied, buildFacts waits
	// for that), and evaluate again whom its changes touched.
	if len(changed) > 0 {
		if err := e.waitFor(ctx, "identity resolution", e.ck.Seq, e.cfg.Store.IdentityCheckpoint); err != nil {
			return err
		}
	}
	for _, ls := range changed {
		ls.seeding = true
	}
	if err := e.identityChanges(ctx, r, e.ck.IdentityChange, 0, true); err != nil {
		return err
	}
	if err := e.buildFacts(ctx); err != nil {
		return err
	}
	if err := r.evaluate(ctx); err != nil {
		return err
	}
	for _, ls := range changed {
		e.reseed(r, ls)
	}
	return e.finish(ctx, r, 0, time.Time{})
}

// ---- questions from other goroutines ----------------------------------------

// Members returns the profiles in a segment now, from memory. ok is false
// when the engine is busy with a pass or has not loaded: the state store,
// which holds what the last pass committed, answers then.
func (e *Engine) Members(workspace, segmentID string) (ids []string, ok bool, err error) {
	if !e.mu.TryLock() {
		return nil, false, nil
	}
	defer e.mu.Unlock()
	if !e.loaded {
		return nil, false, nil
	}
	w := e.ws[workspace]
	if w == nil || w.segs[segmentID] == nil {
		return nil, true, touchpoint.Errorf(touchpoint.ENOTFOUND, "segment %q not found", segmentID)
	}
	ls := w.segs[segmentID]
	out := make([]string, 0, len(ls.members))
	for p := range ls.members {
		out = append(out, e.ids.rows[p].id)
	}
	sort.Strings(out)
	return out, true, nil
}

// IsMember reports whether a profile (or the profile it was merged into)
// is in a segment now; ok as for Members.
func (e *Engine) IsMember(workspace, segmentID, profileID string) (in, ok bool, err error) {
	if !e.mu.TryLock() {
		return false, false, nil
	}
	defer e.mu.Unlock()
	if !e.loaded {
		return false, false, nil
	}
	w := e.ws[workspace]
	if w == nil || w.segs[segmentID] == nil {
		return false, true, touchpoint.Errorf(touchpoint.ENOTFOUND, "segment %q not found", segmentID)
	}
	p, known := e.ids.byID[profileID]
	if !known {
		return false, true, nil
	}
	_, in = w.segs[segmentID].members[e.ids.canon(p)]
	return in, true, nil
}

// feedbackIDs are the ids of the feedback items an event makes, as the
// feedback engine makes them.
func feedbackIDs(ev *touchpoint.Event) []string {
	var out []string
	for _, it := range feedback.Extract([]touchpoint.Event{*ev}) {
		out = append(out, it.ID)
	}
	return out
}

// IsPlatformAction reports whether an event records something Touchpoint
// did (a dotted name from the touchpoint source) rather than something the
// customer did.
func IsPlatformAction(ev *touchpoint.Event) bool {
	return ev.SourceID == touchpoint.SystemSourceID && ev.Type == touchpoint.TypeTrack && strings.Contains(ev.Event, ".")
}
