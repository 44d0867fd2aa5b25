package journey

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/touchpoint-cx/touchpoint"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

// ConsumerName is the engine's name as a log consumer.
const ConsumerName = "journeys"

// Config is what the engine needs.
type Config struct {
	Store    Store
	Profiles touchpoint.ProfileService
	Appender touchpoint.EventAppender
	Clock    touchpoint.Clock
	Logger   *slog.Logger
	// IdentityCheckpoint, if set, tells how far identity resolution has
	// read the log. The engine resolves an event's customer only once
	// identity resolution has applied the event, so that a first-time
	// visitor already has a profile.
	IdentityCheckpoint func(ctx context.Context) (uint64, error)
	// CheckURL vets outbound URLs (webhooks) when a journey is saved; it
	// is given the workspace's allowed hosts.
	CheckURL func(ctx context.Context, allowed []string, rawURL string) error
	// Enqueued, if set, is called after a transaction put messages in the
	// outbox, to wake the dispatcher.
	Enqueued func()
	// TimerBatch is how many due timers fire in one transaction.
	TimerBatch int
	// PublicURL is where customers reach this server (unsubscribe links,
	// survey links).
	PublicURL string
	// Segments, if set, tells which segments a customer is in now, for
	// expressions (profile.segments).
	Segments SegmentReader
}

// SegmentReader lists the segments a profile is in.
type SegmentReader interface {
	ProfileSegments(ctx context.Context, workspace, profileID string) ([]*touchpoint.Segment, error)
}

// Engine enrols customers and moves them through journeys. It is a log
// consumer (Apply) and a timer loop (RunTimers); what it decides to send
// goes to the outbox, which the Dispatcher empties.
type Engine struct {
	cfg Config

	mu       sync.Mutex
	cat      *catalog
	catUntil time.Time
}

// NewEngine returns an engine.
func NewEngine(cfg Config) *Engine {
	if cfg.Clock == nil {
		cfg.Clock = touchpoint.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TimerBatch <= 0 {
		cfg.TimerBatch = 2000
	}
	return &Engine{cfg: cfg}
}

// Checkpoint is the last log sequence applied.
func (e *Engine) Checkpoint(ctx context.Context) (uint64, error) {
	return e.cfg.Store.JourneysCheckpoint(ctx)
}

// catalog is every published version, compiled, and what they listen to.
type catalog struct {
	journeys map[string]*touchpoint.Journey // workspace/id
	versions map[string]*version            // workspace/id/version
	live     []*version                     // the active version of each live journey
	names    map[string]bool
}

func journeyKey(ws, id string) string { return ws + "/" + id }
func versionKey(ws, id string, v int) string {
	return fmt.Sprintf("%s/%s/%d", ws, id, v)
}

// catalogTTL bounds how stale the engine's view of journeys may get when
// they are changed by another node; changes through this node are seen at
// once (Forget).
const catalogTTL = 10 * time.Second

// Forget drops the cached journeys, after a publish or a stop.
func (e *Engine) Forget() {
	e.mu.Lock()
	e.cat = nil
	e.mu.Unlock()
}

func (e *Engine) catalog(ctx context.Context) (*catalog, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cat != nil && time.Now().Before(e.catUntil) {
		return e.cat, nil
	}
	js, vs, err := e.cfg.Store.PublishedJourneys(ctx)
	if err != nil {
		return nil, err
	}
	c := &catalog{journeys: map[string]*touchpoint.Journey{}, versions: map[string]*version{}, names: map[string]bool{}}
	for _, j := range js {
		c.journeys[journeyKey(j.Workspace, j.ID)] = j
	}
	for _, v := range vs {
		cv, err := compile(v)
		if err != nil {
			e.cfg.Logger.Error("journey version cannot run", "journey", v.JourneyID, "version", v.Version, "err", err)
			continue
		}
		c.versions[versionKey(v.Workspace, v.JourneyID, v.Version)] = cv
		for n := range cv.names {
			c.names[n] = true
		}
		if j := c.journeys[journeyKey(v.Workspace, v.JourneyID)]; j != nil && j.Status == touchpoint.JourneyLive && j.ActiveVersion == v.Version {
			c.live = append(c.live, cv)
		}
	}
	e.cat, e.catUntil = c, time.Now().Add(catalogTTL)
	return c, nil
}

func (c *catalog) version(en *touchpoint.Enrolment) *version {
	return c.versions[versionKey(en.Workspace, en.JourneyID, en.Version)]
}

func (c *catalog) stopped(en *touchpoint.Enrolment) bool {
	j := c.journeys[journeyKey(en.Workspace, en.JourneyID)]
	return j == nil || j.Status == touchpoint.JourneyStopped
}

// Apply handles a batch of the log: events end, convert, resume and enrol
// customers, in one transaction with the checkpoint.
func (e *Engine) Apply(ctx context.Context, b tplog.Batch) error {
	cat, err := e.catalog(ctx)
	if err != nil {
		return err
	}
	var rel []int
	for i := range b.Events {
		ev := &b.Events[i]
		if ev.Type == touchpoint.TypeTrack && cat.names[ev.Event] {
			rel = append(rel, i)
		}
	}
	if len(rel) > 0 && e.cfg.IdentityCheckpoint != nil {
		if err := e.waitIdentity(ctx, b.LastSequence); err != nil {
			return err
		}
	}
	keys := make([]IdentifierSet, len(rel))
	for j, i := range rel {
		ev := &b.Events[i]
		keys[j].Workspace = ev.Workspace
		keys[j].IDs, _ = touchpoint.EventIdentifiers(ev, touchpoint.DefaultIdentityRules())
	}
	var profiles []*ProfileRef
	if len(rel) > 0 {
		if profiles, err = e.cfg.Store.ResolveProfiles(ctx, keys); err != nil {
			return err
		}
	}
	enqueued := false
	err = e.cfg.Store.UpdateJourneys(ctx, func(tx Tx) error {
		r := e.newRun(ctx, tx, cat)
		for j, i := range rel {
			if profiles[j] != nil {
				r.onEvent(&b.Events[i], profiles[j])
			}
		}
		if r.err == nil {
			r.err = tx.SaveCheckpoint(b.LastSequence)
		}
		enqueued = r.enqueued
		return r.flush()
	})
	if err == nil && enqueued && e.cfg.Enqueued != nil {
		e.cfg.Enqueued()
	}
	return err
}

// waitIdentity waits until identity resolution has applied the log up to seq.
func (e *Engine) waitIdentity(ctx context.Context, seq uint64) error {
	pause := time.Millisecond
	for {
		got, err := e.cfg.IdentityCheckpoint(ctx)
		if err != nil {
			return err
		}
		if got >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(pause*2, 4*time.Millisecond)
	}
}

// run is one transaction's work: the moves it makes, the counters and
// events they add up to.
type run struct {
	e        *Engine
	ctx      context.Context
	tx       Tx
	cat      *catalog
	now      time.Time
	counts   map[CountKey]int64
	events   []outEvent
	profiles map[string]*touchpoint.Profile
	vars     map[string]map[string]any
	settings map[string]touchpoint.MessagingSettings
	enqueued bool
	err      error

	appends   sync.WaitGroup
	appendMu  sync.Mutex
	appendErr error
}

func (e *Engine) newRun(ctx context.Context, tx Tx, cat *catalog) *run {
	return &run{e: e, ctx: ctx, tx: tx, cat: cat, now: e.cfg.Clock.Now().UTC(), counts: map[CountKey]int64{},
		profiles: map[string]*touchpoint.Profile{}, vars: map[string]map[string]any{}, settings: map[string]touchpoint.MessagingSettings{}}
}

// appendChunk is how many events a run hands to the log at a time. Chunks
// are appended while the run goes on, so that encoding and the log's
// fsync overlap with the state store's work.
const appendChunk = 1000

// ship appends the events gathered so far, in the background: they are
// built and encoded there too, beside the state store's work.
func (r *run) ship() {
	if len(r.events) == 0 || r.e.cfg.Appender == nil {
		r.events = r.events[:0]
		return
	}
	out := r.events
	r.events = make([]outEvent, 0, appendChunk)
	r.appends.Add(1)
	go func() {
		defer r.appends.Done()
		evs := make([]touchpoint.Event, len(out))
		var err error
		for i := range out {
			if evs[i], err = out[i].build(); err != nil {
				break
			}
		}
		if err == nil {
			err = r.e.cfg.Appender.Append(r.ctx, evs)
		}
		if err != nil {
			r.appendMu.Lock()
			if r.appendErr == nil {
				r.appendErr = fmt.Errorf("append journey events: %w", err)
			}
			r.appendMu.Unlock()
		}
	}()
}

// outEvent is an event a run appends to the log: a platform event built
// when it is shipped, or one built already.
type outEvent struct {
	platform touchpoint.PlatformEvent
	built    *touchpoint.Event
}

func (o *outEvent) build() (touchpoint.Event, error) {
	if o.built != nil {
		return *o.built, nil
	}
	return o.platform.Build()
}

// flush writes the counters and waits for every event to be in the log.
// The events are durable before the transaction commits: if the commit
// then fails, the work is redone with the same deterministic event ids,
// which every consumer stores once.
func (r *run) flush() error {
	if r.err == nil {
		r.err = r.tx.AddCounts(r.counts)
	}
	if r.err == nil {
		r.ship()
	}
	r.appends.Wait()
	if r.err != nil {
		return r.err
	}
	return r.appendErr
}

func (r *run) fail(err error) {
	if r.err == nil && err != nil {
		r.err = err
	}
}

func (r *run) count(cv *version, nodeID, metric string) {
	r.counts[CountKey{Workspace: cv.v.Workspace, JourneyID: cv.v.JourneyID, Version: cv.v.Version, NodeID: nodeID, Metric: metric}]++
}

func (r *run) pass(cv *version, nodeID, port string) { r.count(cv, nodeID, "passed:"+port) }

func (r *run) emit(en *touchpoint.Enrolment, id, name string, props map[string]any) {
	props["journey_id"], props["journey_version"], props["enrolment_id"] = en.JourneyID, en.Version, en.ID
	// props is the run's to give away: no caller touches it after emit.
	r.events = append(r.events, outEvent{platform: touchpoint.PlatformEvent{ID: id, Workspace: en.Workspace, ProfileID: en.ProfileID, UserID: en.UserID,
		Event: name, Properties: props, Timestamp: r.now}})
	if len(r.events) >= appendChunk {
		r.ship()
	}
}

// profile loads (once per run) the profile an enrolment belongs to.
func (r *run) profile(en *touchpoint.Enrolment) *touchpoint.Profile {
	return r.profileOf(en.Workspace, en.ProfileID)
}

// profileOf loads a profile by id (a merged row reads as its profile),
// only when something needs its traits.
func (r *run) profileOf(workspace, id string) *touchpoint.Profile {
	if p, ok := r.profiles[id]; ok {
		return p
	}
	p, err := r.e.cfg.Profiles.FindProfile(r.ctx, workspace, touchpoint.Identifier{Kind: touchpoint.KindProfile, Value: id})
	if err != nil && touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		r.fail(err)
	}
	r.profiles[id] = p
	return p
}

// varsOf is what expressions see of a profile, built once per run like
// the profile itself.
func (r *run) varsOf(workspace, id string) map[string]any {
	if v, ok := r.vars[id]; ok {
		return v
	}
	vars, err := r.e.profileVars(r.ctx, workspace, r.profileOf(workspace, id))
	if err != nil {
		r.fail(err)
		return vars
	}
	r.vars[id] = vars
	return vars
}

// profileVars is what expressions see of a profile: its traits, computed
// traits and identifiers, and the ids of the segments it is in now.
func (e *Engine) profileVars(ctx context.Context, workspace string, p *touchpoint.Profile) (map[string]any, error) {
	vars := profileVars(p)
	segs := []any{}
	if p != nil && e.cfg.Segments != nil {
		in, err := e.cfg.Segments.ProfileSegments(ctx, workspace, p.ID)
		if err != nil {
			return vars, err
		}
		for _, s := range in {
			segs = append(segs, s.ID)
		}
	}
	vars["segments"] = segs
	return vars, nil
}

func (r *run) settingsOf(ws string) touchpoint.MessagingSettings {
	if s, ok := r.settings[ws]; ok {
		return s
	}
	s, err := r.e.cfg.Store.MessagingSettings(r.ctx, ws)
	if err != nil {
		r.fail(err)
	}
	r.settings[ws] = s
	return s
}

func (r *run) envFor(en *touchpoint.Enrolment, event map[string]any) *env {
	if event == nil {
		event = triggerVars(en.Trigger)
	}
	return &env{
		profile: func() map[string]any { return r.varsOf(en.Workspace, en.ProfileID) },
		event:   event,
		journey: map[string]any{"id": en.JourneyID, "version": en.Version, "arm": en.Arm, "entered_at": en.EnteredAt, "enrolment_id": en.ID},
		now:     r.now,
	}
}

func (r *run) match(t *trigger, vars *env) bool {
	if t.cond == nil {
		return true
	}
	ok, _ := eval(t.cond, vars.vars(t.profile))
	return ok
}

// onEvent applies one event of a customer to their journeys.
func (r *run) onEvent(ev *touchpoint.Event, p *ProfileRef) {
	ens, err := r.tx.ActiveEnrolments(ev.Workspace, p.Rows)
	if err != nil {
		r.fail(err)
		return
	}
	evVars := eventVars(ev)
	for _, en := range ens {
		if r.err != nil {
			return
		}
		cv := r.cat.version(en)
		if cv == nil {
			continue
		}
		if r.cat.stopped(en) {
			r.end(cv, en, touchpoint.EnrolmentExited, "journey stopped")
			continue
		}
		vars := r.envFor(en, evVars)
		exited := false
		for _, x := range cv.exits {
			if x.event == ev.Event && r.match(x, vars) {
				r.end(cv, en, touchpoint.EnrolmentExited, "exit event "+ev.Event)
				exited = true
				break
			}
		}
		if exited {
			continue
		}
		if g := cv.goal; g != nil && g.event == ev.Event && r.now.Before(en.EnteredAt.Add(cv.goalWindow())) && r.match(g, vars) {
			r.convert(cv, en, ev)
			continue
		}
		if en.WaitEvent != "" && en.WaitEvent == ev.Event {
			n := cv.nodes[en.NodeID]
			if n == nil {
				continue
			}
			ok := false
			switch n.Type {
			case touchpoint.NodeWait:
				b, _ := eval(n.cond, vars.vars(true))
				ok = b
			case touchpoint.NodeSurvey:
				ok = fmt.Sprint(evVars["properties"].(map[string]any)["survey_id"]) == n.SurveyID
			}
			if ok {
				r.pass(cv, n.ID, touchpoint.PortNext)
				r.advance(cv, en, n.Next)
			}
		}
	}
	if r.now.Sub(ev.Timestamp) > MaxEntryAge {
		return // history (an import, a replay) enrols no one
	}
	for _, cv := range r.cat.live {
		if r.err != nil {
			return
		}
		if cv.entry == nil || cv.entry.event != ev.Event || cv.v.Workspace != ev.Workspace {
			continue
		}
		vars := &env{profile: func() map[string]any { return r.varsOf(ev.Workspace, p.ID) }, event: evVars, now: r.now,
			journey: map[string]any{"id": cv.v.JourneyID, "version": cv.v.Version}}
		if !r.match(cv.entry, vars) {
			continue
		}
		r.enrol(cv, p.ID, p.UserID, ev, enrolmentID(cv.v, p.ID, ev.ID))
	}
}

// MaxEntryAge is how old an event may be and still enrol a customer:
// journeys act on what happens now, and importing last year's carts must
// not send this year's reminders.
const MaxEntryAge = 24 * time.Hour

// enrolmentID is derived from what caused the entry, so that the same
// event applied twice enrols once.
func enrolmentID(v *touchpoint.JourneyVersion, profileID, cause string) string {
	h := sha256.Sum256([]byte(v.Workspace + "\x00" + v.JourneyID + "\x00" + profileID + "\x00" + cause))
	return "enr_" + hex.EncodeToString(h[:12])
}

// enrol puts a customer into a version if the entry rules allow it. It
// returns the enrolment, or why not.
func (r *run) enrol(cv *version, profileID, userID string, ev *touchpoint.Event, id string) (*touchpoint.Enrolment, string) {
	entry := &cv.def.Entry
	got, err := r.tx.Entries(cv.v.Workspace, cv.v.JourneyID, profileID)
	if err != nil {
		r.fail(err)
		return nil, ""
	}
	if why := admit(entry, got, r.now); why != "" {
		return nil, why
	}
	en := &touchpoint.Enrolment{ID: id, Workspace: cv.v.Workspace, JourneyID: cv.v.JourneyID, Version: cv.v.Version, ProfileID: profileID, UserID: userID,
		Status: touchpoint.EnrolmentActive, NodeID: touchpoint.EntryNodeID, Trigger: recordOf(ev), EnteredAt: r.now, UpdatedAt: r.now}
	ok, err := r.tx.InsertEnrolment(en)
	if err != nil {
		r.fail(err)
		return nil, ""
	}
	if !ok {
		return nil, "already enrolled by this event"
	}
	r.count(cv, touchpoint.EntryNodeID, "entered")
	r.emit(en, "jrn:"+en.ID+":entered", "journey.entered", map[string]any{"node_id": touchpoint.EntryNodeID, "node_type": "entry"})
	if cv.entryTOD >= 0 {
		// Date entries start at a local time of day: the customer waits at
		// the entry until then.
		loc := timezoneOf(r.profile(en), en.Trigger, r.settingsOf(en.Workspace).Timezone)
		t := touchpoint.NextTimeOfDay(r.now, loc, cv.entryTOD)
		if t.After(r.now) {
			en.WakeAt = &t
			r.save(en)
			return en, ""
		}
	}
	r.pass(cv, touchpoint.EntryNodeID, touchpoint.PortNext)
	r.advance(cv, en, entry.Next)
	return en, ""
}

// admit applies the re-entry policy and the entry cap.
func admit(entry *touchpoint.JourneyEntry, got Entries, now time.Time) string {
	if entry.MaxEntries > 0 && got.Count >= entry.MaxEntries {
		return fmt.Sprintf("entered %d times, the most this journey allows", got.Count)
	}
	switch entry.Reentry {
	case "", touchpoint.ReentryNever:
		if got.Count > 0 {
			return "already entered once, and the journey does not allow re-entry"
		}
	case touchpoint.ReentryAfterExit:
		if got.Active {
			return "still inside the journey"
		}
	}
	if entry.ReentryAfter > 0 && got.Count > 0 && now.Sub(got.Last) < time.Duration(entry.ReentryAfter) {
		return fmt.Sprintf("entered less than %s ago", entry.ReentryAfter)
	}
	return ""
}

func userIDOf(p *touchpoint.Profile) string {
	if p == nil {
		return ""
	}
	for _, id := range p.Identifiers {
		if id.Kind == touchpoint.KindUserID {
			return id.Value
		}
	}
	return ""
}

// maxHops bounds the nodes passed in one go; validation rules out loops
// without a wait, so this only guards against damaged data.
const maxHops = 200

// advance moves a customer from node to node until one makes them wait
// or the path ends.
func (r *run) advance(cv *version, en *touchpoint.Enrolment, nodeID string) {
	for hops := 0; r.err == nil; hops++ {
		if nodeID == "" {
			r.end(cv, en, touchpoint.EnrolmentCompleted, "end of path")
			return
		}
		n := cv.nodes[nodeID]
		if n == nil || hops > maxHops {
			r.end(cv, en, touchpoint.EnrolmentExited, "no way on from "+en.NodeID)
			return
		}
		en.NodeID, en.WakeAt, en.WaitEvent = nodeID, nil, ""
		en.Step++
		r.count(cv, nodeID, "entered")
		props := map[string]any{"node_id": n.ID, "node_type": n.Type}
		stepID := fmt.Sprintf("jrn:%s:%d", en.ID, en.Step)
		switch n.Type {
		case touchpoint.NodeWait:
			var t time.Time
			switch {
			case n.Event != "":
				en.WaitEvent = n.Event
				t = r.now.Add(time.Duration(n.Timeout))
			case n.tod >= 0:
				t = touchpoint.NextTimeOfDay(r.now, timezoneOf(r.profile(en), en.Trigger, r.settingsOf(en.Workspace).Timezone), n.tod)
			default:
				t = r.now.Add(time.Duration(n.Duration))
			}
			en.WakeAt = &t
			props["until"] = t
			r.emit(en, stepID, "journey.step", props)
			r.save(en)
			return
		case touchpoint.NodeSurvey:
			r.enqueue(cv, en, n, n.Channel)
			en.WaitEvent = SurveyAnswered
			t := r.now.Add(time.Duration(n.Timeout))
			en.WakeAt = &t
			props["survey_id"] = n.SurveyID
			r.emit(en, stepID, "journey.step", props)
			r.save(en)
			return
		case touchpoint.NodeBranch:
			port, next := touchpoint.PortElse, n.Else
			vars := r.envFor(en, nil)
			for i, p := range n.branches {
				ok, _ := eval(p, vars.vars(true))
				if ok {
					port, next = n.Branches[i].Name, n.Branches[i].Next
					break
				}
			}
			props["branch"] = port
			r.emit(en, stepID, "journey.step", props)
			r.pass(cv, n.ID, port)
			nodeID = next
		case touchpoint.NodeSplit:
			arm := pickArm(en.ID, n.JourneyStep)
			en.Arm = n.ID + ":" + arm.Name
			props["arm"] = arm.Name
			props["holdout"] = arm.Holdout
			r.emit(en, stepID, "journey.step", props)
			r.pass(cv, n.ID, arm.Name)
			if arm.Holdout {
				if cv.goal == nil {
					r.end(cv, en, touchpoint.EnrolmentCompleted, "holdout")
					return
				}
				// The holdout receives nothing but is watched for the goal
				// as long as any customer's conversion counts.
				t := en.EnteredAt.Add(cv.goalWindow())
				en.WakeAt = &t
				r.save(en)
				return
			}
			nodeID = arm.Next
		case touchpoint.NodeEmail, touchpoint.NodeSMS, touchpoint.NodeWebhook, touchpoint.NodeInApp:
			r.enqueue(cv, en, n, n.Type)
			r.emit(en, stepID, "journey.step", props)
			r.pass(cv, n.ID, touchpoint.PortNext)
			nodeID = n.Next
		case touchpoint.NodeUpdateTrait:
			r.updateTraits(en, n, stepID)
			r.emit(en, stepID, "journey.step", props)
			r.pass(cv, n.ID, touchpoint.PortNext)
			nodeID = n.Next
		case touchpoint.NodeList:
			r.fail(r.tx.SetListMember(en.Workspace, n.List, en.ProfileID, n.Op == "add", r.now))
			props["list"], props["op"] = n.List, n.Op
			r.emit(en, stepID, "journey.step", props)
			r.pass(cv, n.ID, touchpoint.PortNext)
			nodeID = n.Next
		case touchpoint.NodeExit:
			r.emit(en, stepID, "journey.step", props)
			r.end(cv, en, touchpoint.EnrolmentCompleted, "exit node "+n.ID)
			return
		default:
			r.end(cv, en, touchpoint.EnrolmentExited, "unknown node type "+n.Type)
			return
		}
	}
}

// pickArm chooses a split arm by weight, from a hash of the enrolment and
// the node: random across customers, the same on every replay.
func pickArm(enrolmentID string, n *touchpoint.JourneyStep) touchpoint.JourneyArm {
	h := sha256.Sum256([]byte(enrolmentID + "\x00" + n.ID))
	total := 0
	for _, a := range n.Arms {
		total += a.Weight
	}
	x := int(binary.BigEndian.Uint64(h[:8]) % uint64(total))
	for _, a := range n.Arms {
		if x < a.Weight {
			return a
		}
		x -= a.Weight
	}
	return n.Arms[len(n.Arms)-1]
}

// enqueue puts a message in the outbox under the step's idempotency key.
func (r *run) enqueue(cv *version, en *touchpoint.Enrolment, n *node, channel string) {
	if channel == touchpoint.NodeInApp {
		channel = touchpoint.ChannelInApp
	}
	d := &touchpoint.Delivery{ID: DeliveryID(en.ID, en.Step), Workspace: en.Workspace, Channel: channel, ProfileID: en.ProfileID, UserID: en.UserID,
		JourneyID: en.JourneyID, Version: en.Version, NodeID: n.ID, EnrolmentID: en.ID, Status: touchpoint.DeliveryPending,
		NextAt: r.now, Context: en.Trigger, CreatedAt: r.now, UpdatedAt: r.now}
	r.fail(r.tx.Enqueue(d))
	r.enqueued = true
}

// DeliveryID is the idempotency key of the message an enrolment's step sends.
func DeliveryID(enrolmentID string, step int) string {
	return fmt.Sprintf("%s.%d", enrolmentID, step)
}

// updateTraits records new trait values as an identify call in the log,
// where identity resolution applies them like any other.
func (r *run) updateTraits(en *touchpoint.Enrolment, n *node, stepID string) {
	vars := r.envFor(en, nil).vars(true)
	traits := map[string]any{}
	for k, p := range n.traits {
		v, err := expr.Run(p, vars)
		if err != nil {
			r.e.cfg.Logger.Warn("journey trait expression failed", "journey", en.JourneyID, "node", n.ID, "trait", k, "err", err)
			continue
		}
		traits[k] = v
	}
	if len(traits) == 0 {
		return
	}
	ev, err := touchpoint.PlatformEvent{ID: stepID + ":traits", Workspace: en.Workspace, ProfileID: en.ProfileID, UserID: en.UserID,
		Event: "journey.traits", Timestamp: r.now}.Build()
	if err != nil {
		r.fail(err)
		return
	}
	ev.Type, ev.Event = touchpoint.TypeIdentify, ""
	if ev.Traits, err = json.Marshal(traits); err != nil {
		r.fail(err)
		return
	}
	r.events = append(r.events, outEvent{built: &ev})
}

// convert ends an enrolment at its goal.
func (r *run) convert(cv *version, en *touchpoint.Enrolment, ev *touchpoint.Event) {
	r.count(cv, en.NodeID, "converted")
	r.emit(en, "jrn:"+en.ID+":converted", "journey.converted", map[string]any{"node_id": en.NodeID, "goal_event": ev.Event, "goal_event_id": ev.ID, "arm": armName(en.Arm)})
	r.end(cv, en, touchpoint.EnrolmentConverted, "goal "+ev.Event)
}

func armName(a string) string {
	_, arm, _ := strings.Cut(a, ":")
	return arm
}

// GoalNodeID is where customers who reached the end of their path wait
// while their goal can still count: a conversion after the last message
// is a conversion of the journey, and an arm's customers are watched as
// long as the holdout's. No node id can clash with it.
const GoalNodeID = "_goal"

// end finishes an enrolment, or, when it completed but its goal window is
// still open, keeps it watching for the goal.
func (r *run) end(cv *version, en *touchpoint.Enrolment, status, reason string) {
	if status == touchpoint.EnrolmentCompleted && cv.goal != nil && en.NodeID != GoalNodeID {
		if deadline := en.EnteredAt.Add(cv.goalWindow()); r.now.Before(deadline) {
			en.NodeID, en.WakeAt, en.WaitEvent, en.EndReason = GoalNodeID, &deadline, "", reason
			r.save(en)
			return
		}
	}
	r.finish(en, status, reason)
}

func (r *run) finish(en *touchpoint.Enrolment, status, reason string) {
	t := r.now
	en.Status, en.EndedAt, en.EndReason, en.WakeAt, en.WaitEvent = status, &t, reason, nil, ""
	r.emit(en, "jrn:"+en.ID+":end", "journey.exited", map[string]any{"node_id": en.NodeID, "status": status, "reason": reason, "arm": armName(en.Arm)})
	r.save(en)
}

func (r *run) save(en *touchpoint.Enrolment) {
	en.UpdatedAt = r.now
	r.fail(r.tx.SaveEnrolment(en))
}

// FireDue fires every timer that is due, in batches, and returns how many fired.
func (e *Engine) FireDue(ctx context.Context) (int, error) {
	total := 0
	for {
		cat, err := e.catalog(ctx)
		if err != nil {
			return total, err
		}
		n, enqueued := 0, false
		err = e.cfg.Store.UpdateJourneys(ctx, func(tx Tx) error {
			r := e.newRun(ctx, tx, cat)
			due, err := tx.DueEnrolments(r.now, e.cfg.TimerBatch)
			if err != nil {
				return err
			}
			n = len(due)
			for _, en := range due {
				if r.err != nil {
					break
				}
				r.fire(en)
			}
			enqueued = r.enqueued
			return r.flush()
		})
		if err != nil {
			return total, err
		}
		total += n
		if enqueued && e.cfg.Enqueued != nil {
			e.cfg.Enqueued()
		}
		if n < e.cfg.TimerBatch {
			return total, nil
		}
	}
}

// fire moves an enrolment whose timer is due.
func (r *run) fire(en *touchpoint.Enrolment) {
	cv := r.cat.version(en)
	if cv == nil {
		// The version is not loaded (its journey vanished): end the run
		// rather than fire it forever.
		t := r.now
		en.Status, en.EndedAt, en.EndReason, en.WakeAt, en.WaitEvent = touchpoint.EnrolmentExited, &t, "journey version not found", nil, ""
		r.save(en)
		return
	}
	if r.cat.stopped(en) {
		r.end(cv, en, touchpoint.EnrolmentExited, "journey stopped")
		return
	}
	if en.NodeID == GoalNodeID {
		r.finish(en, touchpoint.EnrolmentCompleted, en.EndReason+"; goal window ended")
		return
	}
	if en.NodeID == touchpoint.EntryNodeID {
		r.pass(cv, touchpoint.EntryNodeID, touchpoint.PortNext)
		r.advance(cv, en, cv.def.Entry.Next)
		return
	}
	n := cv.nodes[en.NodeID]
	if n == nil {
		r.end(cv, en, touchpoint.EnrolmentExited, "node "+en.NodeID+" not found")
		return
	}
	switch {
	case n.Type == touchpoint.NodeSplit:
		r.end(cv, en, touchpoint.EnrolmentCompleted, "goal window ended")
	case n.Type == touchpoint.NodeSurvey || (n.Type == touchpoint.NodeWait && n.Event != ""):
		r.pass(cv, n.ID, touchpoint.PortTimeout)
		r.advance(cv, en, n.TimeoutNext)
	default:
		r.pass(cv, n.ID, touchpoint.PortNext)
		r.advance(cv, en, n.Next)
	}
}

// RunTimers fires due timers until ctx ends: at start (late timers of a
// stopped process fire at once), then every interval.
func (e *Engine) RunTimers(ctx context.Context, interval time.Duration) {
	for {
		if _, err := e.FireDue(ctx); err != nil && ctx.Err() == nil {
			e.cfg.Logger.Error("journey timers", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
