package segment

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/touchpoint-cx/touchpoint"
)

// A Plan is a segment definition compiled for evaluation: a boolean
// expression whose leaves read either facts about a profile's events
// (counts in windows, the latest or earliest of something) or the
// profile's data (traits, computed counts, accounts). Both evaluators read
// the same plan — the engine's, in memory, for one profile at a time, and
// the analytics store's, compiled to SQL, for everyone at once — so they
// agree on what every condition means.
type Plan struct {
	Root  *Node
	Facts []*Fact
	// Traits, Computed and Accounts say which profile data the plan reads
	// besides facts.
	Traits, Computed, Accounts bool
	// Refs are the segments the plan reads membership of (not inlined).
	Refs []string
}

// NodeKind says what a node of a plan tests.
type NodeKind uint8

// Node kinds.
const (
	NodeAnd NodeKind = iota
	NodeOr
	NodeNot
	NodeTrait    // Key Cmp: a profile trait
	NodeAccount  // Key Cmp: a trait of any of the profile's accounts
	NodeComputed // Key Cmp: events, orders or revenue
	NodeCount    // Fact Window CountOp Count: events (or feedback items) in a window
	NodeLatest   // Fact Window and Cmp (on the value) or TimeOp Days (on the time)
	NodeEarliest // Fact TimeOp Days
	NodeSegment  // SegmentID
	NodeTrue     // a comparison that always holds (count >= 0)
	NodeFalse    // one that never does (count < 0)
)

// Node is one node of a plan.
type Node struct {
	Kind NodeKind
	Kids []*Node

	Key string
	Cmp Comparison

	Fact *Fact
	// Window is in days; 0 is ever.
	Window  int
	CountOp string
	Count   int
	// TimeOp (within_last, more_than, exists, not_exists) and Days compare
	// the time of a latest or earliest fact; "" compares its value (Cmp).
	TimeOp string
	Days   int

	SegmentID string
}

// Comparison is an operator and the value it compares with.
type Comparison struct {
	Op    string
	Value touchpoint.Value
}

// FactKind says what a fact keeps per profile.
type FactKind uint8

// Fact kinds.
const (
	// FactCount keeps the Keep latest matching events, enough to compare
	// the count in any window ending now with thresholds up to Keep.
	FactCount FactKind = iota
	// FactLatest keeps the latest matching event's time and value.
	FactLatest
	// FactEarliest keeps the earliest matching event's time.
	FactEarliest
	// FactSentiment keeps the Keep latest feedback items whose sentiment
	// is Sentiment.
	FactSentiment
)

// Value kinds of latest facts.
const (
	ValueNone   = ""       // only the time is kept
	ValueEvent  = "$event" // the event's name
	ValueText   = "text"   // a property's string value
	ValueNumber = "number" // a property's numeric value
)

// Fact is something the engine keeps per profile, updated from events.
type Fact struct {
	Kind  FactKind `json:"kind"`
	Match []Match  `json:"match,omitempty"`
	Keep  int      `json:"keep,omitempty"`
	// ValueKind and Property say what value a latest fact keeps.
	ValueKind string `json:"value_kind,omitempty"`
	Property  string `json:"property,omitempty"`
	Sentiment string `json:"sentiment,omitempty"`
	// Key identifies the fact: two segments asking the same thing share it.
	Key string `json:"-"`
}

// Match selects events: the customer's own (Own), of a type (track, page, screen; "" for any), by
// name (any of Names; none for any), on a channel ("" for any), whose
// properties pass every filter.
type Match struct {
	// Own leaves out actions Touchpoint recorded about the customer
	// (segment.entered, message.sent…: dotted names from the touchpoint
	// source), for first and last seen.
	Own     bool                        `json:"own,omitempty"`
	Type    string                      `json:"type,omitempty"`
	Names   []string                    `json:"names,omitempty"`
	Channel string                      `json:"channel,omitempty"`
	Where   []touchpoint.PropertyFilter `json:"where,omitempty"`
}

// Any reports whether the match takes every event.
func (m Match) Any() bool {
	return !m.Own && m.Type == "" && len(m.Names) == 0 && m.Channel == "" && len(m.Where) == 0
}

// Options tune compilation.
type Options struct {
	// Inline, if set, replaces each segment condition with the definition
	// of the segment it names, so the plan needs no stored membership (the
	// analytics store's estimates). It returns ENOTFOUND for an unknown id.
	Inline func(id string) (*touchpoint.SegmentCondition, error)
}

// Compile turns a validated definition into a plan.
func Compile(c *touchpoint.SegmentCondition, o Options) (*Plan, error) {
	p := &Plan{}
	cc := &compiler{plan: p, opts: o, facts: map[string]*Fact{}}
	root, err := cc.node(c, nil)
	if err != nil {
		return nil, err
	}
	p.Root = root
	return p, nil
}

type compiler struct {
	plan  *Plan
	opts  Options
	facts map[string]*Fact
}

// fact returns the plan's fact equal to f, adding it if it is new. Count
// facts of the same events share one fact that keeps enough for all.
func (cc *compiler) fact(f *Fact) *Fact {
	keep := f.Keep
	f.Keep = 0
	b, _ := json.Marshal(f)
	f.Key = string(b)
	f.Keep = keep
	if have, ok := cc.facts[f.Key]; ok {
		have.Keep = max(have.Keep, f.Keep)
		return have
	}
	cc.facts[f.Key] = f
	cc.plan.Facts = append(cc.plan.Facts, f)
	return f
}

func (cc *compiler) node(c *touchpoint.SegmentCondition, inlining []string) (*Node, error) {
	switch {
	case c.And != nil || c.Or != nil:
		n := &Node{Kind: NodeAnd}
		list := c.And
		if c.Or != nil {
			n.Kind, list = NodeOr, c.Or
		}
		for i := range list {
			k, err := cc.node(&list[i], inlining)
			if err != nil {
				return nil, err
			}
			n.Kids = append(n.Kids, k)
		}
		return n, nil
	case c.Not != nil:
		k, err := cc.node(c.Not, inlining)
		if err != nil {
			return nil, err
		}
		return &Node{Kind: NodeNot, Kids: []*Node{k}}, nil
	case c.Trait != nil:
		cc.plan.Traits = true
		return &Node{Kind: NodeTrait, Key: c.Trait.Key, Cmp: Comparison{c.Trait.Op, c.Trait.Value}}, nil
	case c.Account != nil:
		cc.plan.Accounts = true
		return &Node{Kind: NodeAccount, Key: c.Account.Key, Cmp: Comparison{c.Account.Op, c.Account.Value}}, nil
	case c.Computed != nil:
		return cc.computed(c.Computed)
	case c.Event != nil:
		e := c.Event
		m := Match{Type: e.Type, Channel: e.Channel, Where: e.Where}
		if m.Type == "" {
			m.Type = string(touchpoint.TypeTrack)
		}
		if e.Name != "" {
			m.Names = []string{e.Name}
		}
		op, n := touchpoint.CountOp(e.Op, e.Count)
		return cc.count(&Fact{Kind: FactCount, Match: []Match{m}}, e.WithinDays, op, n), nil
	case c.Feedback != nil:
		f := c.Feedback
		if f.Metric == touchpoint.FeedbackSentiment {
			op, n := touchpoint.CountOp(f.Op, f.Count)
			return cc.count(&Fact{Kind: FactSentiment, Sentiment: f.Sentiment}, f.WithinDays, op, n), nil
		}
		return cc.latestNPS(Comparison{f.Op, f.Value}, f.WithinDays), nil
	case c.Journey != nil:
		j := c.Journey
		where := []touchpoint.PropertyFilter{{Property: "journey_id", Op: touchpoint.OpEq, Value: touchpoint.StringValue(j.JourneyID)}}
		track := string(touchpoint.TypeTrack)
		if j.State == touchpoint.JourneyStateIn {
			f := cc.fact(&Fact{Kind: FactLatest, ValueKind: ValueEvent,
				Match: []Match{{Type: track, Names: []string{touchpoint.EventJourneyEntered, touchpoint.EventJourneyExited}, Where: where}}})
			return &Node{Kind: NodeLatest, Fact: f, Cmp: Comparison{touchpoint.OpEq, touchpoint.StringValue(touchpoint.EventJourneyEntered)}}, nil
		}
		name := map[string]string{touchpoint.JourneyStateEntered: touchpoint.EventJourneyEntered,
			touchpoint.JourneyStateExited: touchpoint.EventJourneyExited, touchpoint.JourneyStateConverted: touchpoint.EventJourneyConverted}[j.State]
		return cc.count(&Fact{Kind: FactCount, Match: []Match{{Type: track, Names: []string{name}, Where: where}}}, j.WithinDays, touchpoint.OpGte, 1), nil
	case c.Consent != nil:
		f := cc.fact(&Fact{Kind: FactLatest, ValueKind: ValueText, Property: "status",
			Match: []Match{{Type: string(touchpoint.TypeTrack), Names: []string{touchpoint.EventConsentChanged},
				Where: []touchpoint.PropertyFilter{{Property: "channel", Op: touchpoint.OpEq, Value: touchpoint.StringValue(c.Consent.Channel)}}}}})
		if c.Consent.Status == touchpoint.ConsentStatusUnknown {
			return &Node{Kind: NodeLatest, Fact: f, TimeOp: touchpoint.OpNotExists}, nil
		}
		return &Node{Kind: NodeLatest, Fact: f, Cmp: Comparison{touchpoint.OpEq, touchpoint.StringValue(c.Consent.Status)}}, nil
	case c.Segment != nil:
		id := c.Segment.ID
		if cc.opts.Inline == nil {
			if !slices.Contains(cc.plan.Refs, id) {
				cc.plan.Refs = append(cc.plan.Refs, id)
			}
			return &Node{Kind: NodeSegment, SegmentID: id}, nil
		}
		if slices.Contains(inlining, id) {
			return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "segments refer to each other in a cycle: %v", append(inlining, id))
		}
		def, err := cc.opts.Inline(id)
		if err != nil {
			return nil, err
		}
		return cc.node(def, append(inlining, id))
	}
	return nil, fmt.Errorf("compile segment: empty condition")
}

// count makes a node comparing the number of a fact's events in a window,
// and sizes the fact to tell every count the comparison needs apart.
func (cc *compiler) count(f *Fact, window int, op string, n int) *Node {
	// Count >= k holds exactly when the k-th latest event is in the
	// window, so keeping the latest k events answers it; every operator
	// is one or two such tests.
	need := n
	switch op {
	case touchpoint.OpGt, touchpoint.OpLte, touchpoint.OpEq, touchpoint.OpNeq:
		need = n + 1
	}
	switch {
	case op == touchpoint.OpGte && n == 0, op == touchpoint.OpLte && n < 0:
		return &Node{Kind: NodeTrue}
	case op == touchpoint.OpLt && n == 0:
		return &Node{Kind: NodeFalse}
	}
	f.Keep = max(need, 1)
	f = cc.fact(f)
	return &Node{Kind: NodeCount, Fact: f, Window: window, CountOp: op, Count: n}
}

// npsMatch selects NPS answers: survey answers and feedback whose score
// is an NPS score, and the NPS Answered events some sources send.
func npsMatch() []Match {
	track := string(touchpoint.TypeTrack)
	score := []touchpoint.PropertyFilter{
		{Property: "score", Op: touchpoint.OpGte, Value: touchpoint.NumberValue(0)},
		{Property: "score", Op: touchpoint.OpLte, Value: touchpoint.NumberValue(10)},
	}
	return []Match{
		{Type: track, Names: []string{touchpoint.EventSurveyResponded, touchpoint.EventFeedbackReceived},
			Where: append([]touchpoint.PropertyFilter{{Property: "survey_type", Op: touchpoint.OpEq, Value: touchpoint.StringValue("nps")}}, score...)},
		{Type: track, Names: []string{touchpoint.EventNPSAnswered}, Where: score},
	}
}

func (cc *compiler) latestNPS(cmp Comparison, window int) *Node {
	f := cc.fact(&Fact{Kind: FactLatest, ValueKind: ValueNumber, Property: "score", Match: npsMatch()})
	n := &Node{Kind: NodeLatest, Fact: f, Window: window, Cmp: cmp}
	if cmp.Op == touchpoint.OpExists || cmp.Op == touchpoint.OpNotExists {
		n.Cmp, n.TimeOp = Comparison{}, cmp.Op
	}
	return n
}

func (cc *compiler) computed(v *touchpoint.ValueCondition) (*Node, error) {
	track := string(touchpoint.TypeTrack)
	switch v.Key {
	case "events", "orders", "revenue":
		cc.plan.Computed = true
		return &Node{Kind: NodeComputed, Key: v.Key, Cmp: Comparison{v.Op, v.Value}}, nil
	case "last_nps":
		return cc.latestNPS(Comparison{v.Op, v.Value}, 0), nil
	case "first_seen":
		f := cc.fact(&Fact{Kind: FactEarliest, Match: []Match{{Own: true}}})
		return timeNode(NodeEarliest, f, v), nil
	case "last_seen":
		f := cc.fact(&Fact{Kind: FactLatest, Match: []Match{{Own: true}}})
		return timeNode(NodeLatest, f, v), nil
	case "last_order_at":
		f := cc.fact(&Fact{Kind: FactLatest, Match: []Match{{Type: track, Names: []string{touchpoint.EventOrderCompleted}}}})
		return timeNode(NodeLatest, f, v), nil
	}
	return nil, touchpoint.FieldError("computed.key", "unknown computed trait %q", v.Key)
}

func timeNode(kind NodeKind, f *Fact, v *touchpoint.ValueCondition) *Node {
	n := &Node{Kind: kind, Fact: f, TimeOp: v.Op}
	if v.Op == touchpoint.OpWithinLast || v.Op == touchpoint.OpMoreThan {
		n.Days = int(v.Value.Num)
	}
	return n
}

// CountHolds compares a count with a node's operator and threshold.
func CountHolds(op string, count, n int) bool {
	switch op {
	case touchpoint.OpEq:
		return count == n
	case touchpoint.OpNeq:
		return count != n
	case touchpoint.OpGt:
		return count > n
	case touchpoint.OpGte:
		return count >= n
	case touchpoint.OpLt:
		return count < n
	case touchpoint.OpLte:
		return count <= n
	}
	return false
}
