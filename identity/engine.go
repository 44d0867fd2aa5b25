package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

// ConsumerName is the engine's name as a log consumer.
const ConsumerName = "identity"

// Engine applies the log to profiles.
type Engine struct {
	store  Store
	rules  func(workspace string) touchpoint.IdentityRules
	logger *slog.Logger
}

// NewEngine returns an engine over store; rules gives each workspace's
// merge rules.
func NewEngine(store Store, rules func(workspace string) touchpoint.IdentityRules, logger *slog.Logger) *Engine {
	return &Engine{store: store, rules: rules, logger: logger}
}

// Checkpoint is the last log sequence applied.
func (e *Engine) Checkpoint(ctx context.Context) (uint64, error) {
	return e.store.IdentityCheckpoint(ctx)
}

// Apply resolves a batch of events in one transaction. It is the engine's
// log handler.
//
// Identifiers, profiles, merges, traits and accounts are written with the
// batch: applying the same events again changes none of them. What events
// add up to (computed traits) and which events were seen are handed to the
// store, which makes them durable together with the log position: with
// each batch once the consumer has caught up, and in larger, sorted writes
// while it is catching up.
func (e *Engine) Apply(ctx context.Context, b tplog.Batch) error {
	return e.store.UpdateIdentity(ctx, func(tx Tx) error {
		ids := make([][]touchpoint.Identifier, len(b.Events))
		eventIDs := map[string][]string{}
		// Only events that set traits need the profile's stored state.
		withTraits := map[string][]touchpoint.Identifier{}
		for i := range b.Events {
			ev := &b.Events[i]
			ids[i], _ = touchpoint.EventIdentifiers(ev, e.rules(ev.Workspace))
			eventIDs[ev.Workspace] = append(eventIDs[ev.Workspace], ev.ID)
			if setsTraits(ev) {
				withTraits[ev.Workspace] = append(withTraits[ev.Workspace], ids[i]...)
			}
		}
		fresh := map[string][]bool{}
		for ws, evIDs := range eventIDs {
			if err := tx.Prefetch(ws, withTraits[ws]); err != nil {
				return err
			}
			var err error
			if fresh[ws], err = tx.FirstTime(ws, evIDs); err != nil {
				return err
			}
		}
		w := &batchWork{states: map[string]*State{}, computed: map[string]*touchpoint.ComputedTraits{}}
		next := map[string]int{}
		for i := range b.Events {
			ev := &b.Events[i]
			n := next[ev.Workspace]
			next[ev.Workspace]++
			if !fresh[ev.Workspace][n] {
				continue
			}
			if err := e.apply(tx, ev, ids[i], w); err != nil {
				return fmt.Errorf("resolve event %s: %w", ev.ID, err)
			}
		}
		for _, s := range w.states {
			if s.TraitsChanged {
				if err := tx.SaveState(s); err != nil {
					return err
				}
			}
		}
		if err := tx.AddComputed(w.computed); err != nil {
			return err
		}
		return tx.Applied(b.LastSequence, !b.Full)
	})
}

// batchWork is what a batch accumulates before it is handed to the store.
type batchWork struct {
	states   map[string]*State
	computed map[string]*touchpoint.ComputedTraits
}

func setsTraits(ev *touchpoint.Event) bool {
	return ev.Type == touchpoint.TypeIdentify && len(ev.Traits) > 0
}

func (e *Engine) apply(tx Tx, ev *touchpoint.Event, ids []touchpoint.Identifier, w *batchWork) error {
	rules := e.rules(ev.Workspace)
	if ev.Type == touchpoint.TypeAlias {
		prev, err := e.previous(tx, ev, rules)
		if err != nil {
			return err
		}
		if prev.Kind != "" {
			ids = append(ids, prev)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	owner, err := e.resolve(tx, ev, ids, rules)
	if err != nil || owner == "" {
		return err
	}
	if setsTraits(ev) {
		s, ok := w.states[owner]
		if !ok {
			if s, err = tx.State(owner); err != nil {
				return err
			}
			w.states[owner] = s
		}
		if err := e.traits(tx, ev, s); err != nil {
			return err
		}
	}
	c, ok := w.computed[owner]
	if !ok {
		c = &touchpoint.ComputedTraits{}
		w.computed[owner] = c
	}
	compute(ev, c)
	if ev.Type == touchpoint.TypeGroup && ev.GroupID != "" {
		return tx.JoinAccount(owner, ev.Workspace, ev.GroupID, ev.Traits, ev.Timestamp)
	}
	return nil
}

// Settle makes durable whatever the store holds back while catching up.
// The node calls it when the log goes quiet.
func (e *Engine) Settle(ctx context.Context) error { return e.store.SettleIdentity(ctx) }

// previous resolves an alias call's previousId: a known user id, else a
// known anonymous id, else a new anonymous id.
func (e *Engine) previous(tx Tx, ev *touchpoint.Event, rules touchpoint.IdentityRules) (touchpoint.Identifier, error) {
	for _, kind := range []string{touchpoint.KindUserID, touchpoint.KindAnonymousID} {
		id, err := rules.Normalize(touchpoint.Identifier{Kind: kind, Value: ev.PreviousID})
		if err != nil {
			return touchpoint.Identifier{}, nil
		}
		owner, _, err := tx.Owner(ev.Workspace, id)
		if err != nil {
			return id, err
		}
		if owner != "" {
			return id, nil
		}
	}
	return touchpoint.Identifier{Kind: touchpoint.KindAnonymousID, Value: ev.PreviousID}, nil
}

// resolve finds, creates or merges the profile of an event's identifiers
// (most specific first) and returns the row that owns the event.
func (e *Engine) resolve(tx Tx, ev *touchpoint.Event, ids []touchpoint.Identifier, rules touchpoint.IdentityRules) (string, error) {
	var target string // canonical profile of the most specific known identifier
	var canon []string
	unknown := 0
	known := ids[:0:0]
	owners := make([]string, 0, len(ids))
	canonicals := make([]string, 0, len(ids))
	for _, id := range ids {
		o, c, err := tx.Owner(ev.Workspace, id)
		if err != nil {
			return "", err
		}
		// A profile id names an existing profile or nothing: it is never
		// attached to a profile as an identifier.
		if id.Kind != touchpoint.KindProfile || o != "" {
			known = append(known, id)
			owners, canonicals = append(owners, o), append(canonicals, c)
		}
	}
	ids = known
	if len(ids) == 0 {
		return "", nil
	}
	for i, o := range owners {
		c := canonicals[i]
		if o == "" {
			unknown++
			continue
		}
		if target == "" {
			target = c
		}
		if !contains(canon, c) {
			canon = append(canon, c)
		}
	}
	if target == "" {
		p, err := tx.CreateProfile(ev.Workspace, ev.Timestamp)
		if err != nil {
			return "", err
		}
		return p, e.attach(tx, ev, p, nil, ids, owners, rules)
	}
	if unknown == 0 && len(canon) == 1 {
		// The common case: a known customer, nothing to link.
		return owners[0], nil
	}
	// Merge every other profile the event names into the target, where the
	// rules allow it.
	for _, c := range canon {
		if c == target {
			continue
		}
		reason, err := e.mergeBlocked(tx, target, c, rules)
		if err != nil {
			return "", err
		}
		if reason != "" {
			if err := tx.RejectMerge(&touchpoint.MergeRejection{Workspace: ev.Workspace, EventID: ev.ID, Profiles: []string{target, c}, Identifiers: ids, Reason: reason, CreatedAt: ev.ReceivedAt}); err != nil {
				return "", err
			}
			continue
		}
		moved, err := tx.Identifiers(c)
		if err != nil {
			return "", err
		}
		why := "event carries identifiers of both profiles"
		if ev.Type == touchpoint.TypeAlias {
			why = "alias"
		}
		if err := tx.Merge(&touchpoint.Merge{Workspace: ev.Workspace, Winner: target, Loser: c, EventID: ev.ID, Reason: why, Identifiers: moved, CreatedAt: ev.ReceivedAt}); err != nil {
			return "", err
		}
	}
	// Unknown identifiers join the target unless they would break a rule;
	// an unknown unique identifier that conflicts starts a profile of its own.
	have, err := tx.Identifiers(target)
	if err != nil {
		return "", err
	}
	for i, id := range ids {
		if owners[i] != "" || !rules.IsUnique(id.Kind) {
			continue
		}
		if countKind(have, id.Kind) > 0 {
			p, err := tx.CreateProfile(ev.Workspace, ev.Timestamp)
			if err != nil {
				return "", err
			}
			if err := tx.RejectMerge(&touchpoint.MergeRejection{Workspace: ev.Workspace, EventID: ev.ID, Profiles: []string{target, p}, Identifiers: ids,
				Reason: fmt.Sprintf("%s: profile %s already has another %s", id, target, id.Kind), CreatedAt: ev.ReceivedAt}); err != nil {
				return "", err
			}
			fresh := []touchpoint.Identifier{}
			freshOwners := []string{}
			for j, other := range ids {
				if owners[j] == "" {
					fresh = append(fresh, other)
					freshOwners = append(freshOwners, "")
				}
			}
			return p, e.attach(tx, ev, p, nil, fresh, freshOwners, rules)
		}
	}
	if err := e.attach(tx, ev, target, have, ids, owners, rules); err != nil {
		return "", err
	}
	// The event belongs to the row that owns its most specific identifier.
	if owners[0] != "" {
		return owners[0], nil
	}
	return target, nil
}

// attach adds the unknown identifiers to profile p, which already holds
// have, within the limits.
func (e *Engine) attach(tx Tx, ev *touchpoint.Event, p string, have, ids []touchpoint.Identifier, owners []string, rules touchpoint.IdentityRules) error {
	for i, id := range ids {
		if owners[i] != "" {
			continue
		}
		if countKind(have, id.Kind) >= rules.Limit(id.Kind) {
			if err := tx.RejectMerge(&touchpoint.MergeRejection{Workspace: ev.Workspace, EventID: ev.ID, Profiles: []string{p}, Identifiers: []touchpoint.Identifier{id},
				Reason: fmt.Sprintf("%s: profile already holds the limit of %d %s identifiers", id, rules.Limit(id.Kind), id.Kind), CreatedAt: ev.ReceivedAt}); err != nil {
				return err
			}
			continue
		}
		if err := tx.Attach(ev.Workspace, id, p, ev.ID, ev.Timestamp); err != nil {
			return err
		}
		have = append(have, id)
	}
	return nil
}

// mergeBlocked returns why two profiles may not merge, or "".
func (e *Engine) mergeBlocked(tx Tx, a, b string, rules touchpoint.IdentityRules) (string, error) {
	undone, err := tx.UndoneMerge(a, b)
	if err != nil {
		return "", err
	}
	if undone {
		return "a merge of these profiles was undone", nil
	}
	ia, err := tx.Identifiers(a)
	if err != nil {
		return "", err
	}
	ib, err := tx.Identifiers(b)
	if err != nil {
		return "", err
	}
	for _, kind := range rules.Unique {
		va, vb := valuesOf(ia, kind), valuesOf(ib, kind)
		if len(va) > 0 && len(vb) > 0 && !equalSets(va, vb) {
			return fmt.Sprintf("both profiles have a %s (%s and %s), and %s never merges", kind, strings.Join(va, ","), strings.Join(vb, ","), kind), nil
		}
	}
	counts := map[string]int{}
	for _, id := range append(append([]touchpoint.Identifier{}, ia...), ib...) {
		counts[id.Kind]++
	}
	for kind, n := range counts {
		if n > rules.Limit(kind) {
			return fmt.Sprintf("merged profile would hold %d %s identifiers, over the limit of %d", n, kind, rules.Limit(kind)), nil
		}
	}
	return "", nil
}

// traits applies an identify call's traits, last write wins by event time.
func (e *Engine) traits(tx Tx, ev *touchpoint.Event, s *State) error {
	var traits map[string]json.RawMessage
	if err := json.Unmarshal(ev.Traits, &traits); err != nil {
		return nil // validated at collection; an odd shape is skipped
	}
	if s.Traits == nil {
		s.Traits = map[string]TraitValue{}
	}
	for k, v := range traits {
		old, ok := s.Traits[k]
		if ok && bytes.Equal(old.Value, v) {
			// SDKs send the same traits with every identify call: only a
			// change is history, and an unchanged profile is not rewritten.
			continue
		}
		// History keeps every value set, late ones included; the current
		// value is the one with the latest event time.
		if err := tx.TraitChanged(s.ProfileID, k, v, ev.Timestamp, ev.ID); err != nil {
			return err
		}
		if ok && old.At.After(ev.Timestamp) {
			continue
		}
		s.Traits[k] = TraitValue{Value: v, At: ev.Timestamp}
		s.TraitsChanged = true
	}
	return nil
}

// compute folds an event into a profile row's computed traits.
func compute(ev *touchpoint.Event, c *touchpoint.ComputedTraits) {
	if c.FirstSeen.IsZero() || ev.Timestamp.Before(c.FirstSeen) {
		c.FirstSeen = ev.Timestamp
	}
	if ev.Timestamp.After(c.LastSeen) {
		c.LastSeen = ev.Timestamp
	}
	c.Events++
	if c.EventsByChannel == nil {
		c.EventsByChannel = map[string]int64{}
	}
	c.EventsByChannel[ev.Channel]++
	if ev.Type != touchpoint.TypeTrack {
		return
	}
	if c.EventsByName == nil {
		c.EventsByName = map[string]int64{}
	}
	c.EventsByName[ev.Event]++
	switch ev.Event {
	case "Order Completed":
		var p struct {
			Revenue *float64 `json:"revenue"`
			Total   *float64 `json:"total"`
		}
		_ = json.Unmarshal(ev.Properties, &p)
		c.Orders++
		switch {
		case p.Revenue != nil && !math.IsNaN(*p.Revenue):
			c.Revenue += *p.Revenue
		case p.Total != nil && !math.IsNaN(*p.Total):
			c.Revenue += *p.Total
		}
		if ev.Timestamp.After(c.LastOrderAt) {
			c.LastOrderAt = ev.Timestamp
		}
	case "Survey Responded", "NPS Answered":
		var p struct {
			SurveyType string   `json:"survey_type"`
			Score      *float64 `json:"score"`
		}
		_ = json.Unmarshal(ev.Properties, &p)
		if (p.SurveyType == "nps" || ev.Event == "NPS Answered") && p.Score != nil && *p.Score >= 0 && *p.Score <= 10 && !ev.Timestamp.Before(c.LastNPSAt) {
			n := int(math.Round(*p.Score))
			c.LastNPS, c.LastNPSAt = &n, ev.Timestamp
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func countKind(ids []touchpoint.Identifier, kind string) int {
	n := 0
	for _, id := range ids {
		if id.Kind == kind {
			n++
		}
	}
	return n
}

func valuesOf(ids []touchpoint.Identifier, kind string) []string {
	var out []string
	for _, id := range ids {
		if id.Kind == kind && !contains(out, id.Value) {
			out = append(out, id.Value)
		}
	}
	return out
}

func equalSets(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !contains(b, x) {
			return false
		}
	}
	return true
}
