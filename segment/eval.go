package segment

import (
	"encoding/json"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// ProfileData is what the state store knows of a profile that facts do
// not hold: composed traits, computed counts and the traits of its
// accounts. The engine reads it only for plans that need it, and only
// for profiles whose answer depends on it.
type ProfileData struct {
	Traits   map[string]json.RawMessage
	Events   int64
	Orders   int64
	Revenue  float64
	Accounts []map[string]json.RawMessage
}

// tri is a three-valued truth: a condition on profile data is unknown
// until the data is read, and many profiles' answers are settled without
// it ("did X" fails, so "did X and plan is pro" fails).
type tri int8

const (
	tFalse tri = iota
	tTrue
	tUnknown
)

func triOf(b bool) tri {
	if b {
		return tTrue
	}
	return tFalse
}

// evaluator evaluates plans for profiles of one workspace at one moment.
type evaluator struct {
	now    time.Time
	ids    *idMap
	facts  func(f *Fact) *factState
	data   func(p int32) *ProfileData // nil data: not read (yet)
	member func(segmentID string, p int32) tri
}

func (ev *evaluator) eval(n *Node, p int32) tri {
	switch n.Kind {
	case NodeTrue:
		return tTrue
	case NodeFalse:
		return tFalse
	case NodeAnd:
		out := tTrue
		for _, k := range n.Kids {
			switch ev.eval(k, p) {
			case tFalse:
				return tFalse
			case tUnknown:
				out = tUnknown
			}
		}
		return out
	case NodeOr:
		out := tFalse
		for _, k := range n.Kids {
			switch ev.eval(k, p) {
			case tTrue:
				return tTrue
			case tUnknown:
				out = tUnknown
			}
		}
		return out
	case NodeNot:
		switch ev.eval(n.Kids[0], p) {
		case tTrue:
			return tFalse
		case tFalse:
			return tTrue
		}
		return tUnknown
	case NodeSegment:
		return ev.member(n.SegmentID, p)
	case NodeTrait, NodeComputed, NodeAccount:
		d := ev.data(p)
		if d == nil {
			return tUnknown
		}
		return triOf(dataHolds(n, d))
	}
	fs := ev.facts(n.Fact)
	rows := ev.ids.rowsOf(p)
	switch n.Kind {
	case NodeCount:
		var cutoff int64
		if n.Window > 0 {
			cutoff = ev.now.Add(-time.Duration(n.Window) * 24 * time.Hour).UnixNano()
		}
		c := 0
		if fs != nil {
			c = fs.count(rows, cutoff)
		}
		return triOf(CountHolds(n.CountOp, c, n.Count))
	case NodeLatest:
		var e latestEntry
		ok := false
		if fs != nil {
			e, ok = fs.latestOf(rows)
		}
		if ok && n.Window > 0 && e.ts < ev.now.Add(-time.Duration(n.Window)*24*time.Hour).UnixNano() {
			ok = false
		}
		if n.TimeOp != "" {
			return triOf(timeHolds(n.TimeOp, n.Days, e.ts, ok, ev.now))
		}
		if !ok {
			return triOf(jvalue{}.holds(n.Cmp))
		}
		v := jvalue{kind: jString, s: e.s}
		if n.Fact.ValueKind == ValueNumber {
			v = jvalue{kind: jNumber, f: e.f}
		}
		return triOf(v.holds(n.Cmp))
	case NodeEarliest:
		var ts int64
		ok := false
		if fs != nil {
			ts, ok = fs.earliestOf(rows)
		}
		return triOf(timeHolds(n.TimeOp, n.Days, ts, ok, ev.now))
	}
	return tFalse
}

// timeHolds compares a time with now: within_last d is at or after d days
// ago, more_than d is before it; a missing time is neither.
func timeHolds(op string, days int, ts int64, ok bool, now time.Time) bool {
	switch op {
	case touchpoint.OpExists:
		return ok
	case touchpoint.OpNotExists:
		return !ok
	}
	if !ok {
		return false
	}
	cutoff := now.Add(-time.Duration(days) * 24 * time.Hour).UnixNano()
	if op == touchpoint.OpWithinLast {
		return ts >= cutoff
	}
	return ts < cutoff
}

func dataHolds(n *Node, d *ProfileData) bool {
	switch n.Kind {
	case NodeTrait:
		return parseJSON(d.Traits[n.Key]).holds(n.Cmp)
	case NodeAccount:
		for _, a := range d.Accounts {
			if parseJSON(a[n.Key]).holds(n.Cmp) {
				return true
			}
		}
		return false
	case NodeComputed:
		var v float64
		switch n.Key {
		case "events":
			v = float64(d.Events)
		case "orders":
			v = float64(d.Orders)
		case "revenue":
			v = d.Revenue
		}
		return jvalue{kind: jNumber, f: v}.holds(n.Cmp)
	}
	return false
}
