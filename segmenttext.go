package touchpoint

import (
	"fmt"
	"strings"
)

// Describe renders a condition in plain words, for lists and pages:
// "did Order Completed at least 2 times in the last 30 days". name turns
// a segment id into its name (nil leaves the id).
func (c *SegmentCondition) Describe(name func(id string) string) string {
	switch {
	case c.And != nil || c.Or != nil:
		list, sep := c.And, " and "
		if c.Or != nil {
			list, sep = c.Or, " or "
		}
		parts := make([]string, len(list))
		for i := range list {
			parts[i] = list[i].Describe(name)
			if len(list[i].And)+len(list[i].Or) > 0 {
				parts[i] = "(" + parts[i] + ")"
			}
		}
		return strings.Join(parts, sep)
	case c.Not != nil:
		if e := c.Not.Event; e != nil {
			op, n := CountOp(e.Op, e.Count)
			if op == OpGte && n == 1 {
				return "did not do " + e.what() + e.window()
			}
		}
		return "not " + c.Not.Describe(name)
	case c.Trait != nil:
		return "trait " + c.Trait.describe()
	case c.Account != nil:
		return "an account's " + c.Account.describe()
	case c.Computed != nil:
		v := c.Computed
		switch v.Op {
		case OpWithinLast:
			return fmt.Sprintf("%s within the last %s", strings.ReplaceAll(v.Key, "_", " "), days(v.Value.Num))
		case OpMoreThan:
			return fmt.Sprintf("%s more than %s ago", strings.ReplaceAll(v.Key, "_", " "), days(v.Value.Num))
		}
		return strings.ReplaceAll(v.describe(), "_", " ")
	case c.Event != nil:
		e := c.Event
		op, n := CountOp(e.Op, e.Count)
		if (op == OpEq && n == 0) || (op == OpLt && n == 1) {
			return "did not do " + e.what() + e.window()
		}
		if op == OpGte && n == 1 {
			return "did " + e.what() + e.window()
		}
		return fmt.Sprintf("did %s %s %d %s%s", e.what(), opWords[op], n, map[bool]string{true: "time", false: "times"}[n == 1], e.window())
	case c.Feedback != nil:
		f := c.Feedback
		w := ""
		if f.WithinDays > 0 {
			w = " in the last " + days(float64(f.WithinDays))
		}
		if f.Metric == FeedbackNPS {
			if f.Op == OpExists || f.Op == OpNotExists {
				return map[bool]string{true: "answered NPS", false: "did not answer NPS"}[f.Op == OpExists] + w
			}
			return fmt.Sprintf("last NPS answer %s %s%s", opWords[f.Op], f.Value.Text(), w)
		}
		op, n := CountOp(f.Op, f.Count)
		return fmt.Sprintf("%s %d %s feedback %s%s", opWords[op], n, f.Sentiment, map[bool]string{true: "item", false: "items"}[n == 1], w)
	case c.Journey != nil:
		j := c.Journey
		w := ""
		if j.WithinDays > 0 {
			w = " in the last " + days(float64(j.WithinDays))
		}
		if j.State == JourneyStateIn {
			return "in journey " + j.JourneyID
		}
		return j.State + " journey " + j.JourneyID + w
	case c.Consent != nil:
		if c.Consent.Status == ConsentStatusUnknown {
			return "gave no answer for " + c.Consent.Channel
		}
		return c.Consent.Status + " to " + c.Consent.Channel
	case c.Segment != nil:
		n := c.Segment.ID
		if name != nil {
			n = name(n)
		}
		return "in segment “" + n + "”"
	}
	return ""
}

var opWords = map[string]string{OpEq: "exactly", OpNeq: "not", OpGt: "more than", OpGte: "at least", OpLt: "fewer than", OpLte: "at most",
	OpContains: "contains", OpIn: "is one of"}

func (v *ValueCondition) describe() string {
	switch v.Op {
	case OpExists:
		return v.Key + " is set"
	case OpNotExists:
		return v.Key + " is not set"
	case OpEq:
		return v.Key + " is " + v.Value.Text()
	case OpNeq:
		return v.Key + " is not " + v.Value.Text()
	case OpGt:
		return v.Key + " > " + v.Value.Text()
	case OpGte:
		return v.Key + " ≥ " + v.Value.Text()
	case OpLt:
		return v.Key + " < " + v.Value.Text()
	case OpLte:
		return v.Key + " ≤ " + v.Value.Text()
	case OpContains:
		return v.Key + " contains " + v.Value.Text()
	case OpIn:
		return v.Key + " is one of " + v.Value.Text()
	}
	return v.Key + " " + v.Op + " " + v.Value.Text()
}

func (e *EventCondition) what() string {
	var s string
	switch e.Type {
	case string(TypePage), string(TypeScreen):
		s = "a " + e.Type + " view"
		if e.Name != "" {
			s = e.Type + " " + e.Name
		}
	default:
		s = e.Name
	}
	if e.Channel != "" {
		s += " on " + e.Channel
	}
	if len(e.Where) > 0 {
		var ws []string
		for _, w := range e.Where {
			vc := ValueCondition{Key: w.Property, Op: w.Op, Value: w.Value}
			ws = append(ws, vc.describe())
		}
		s += " where " + strings.Join(ws, ", ")
	}
	return s
}

func (e *EventCondition) window() string {
	if e.WithinDays == 0 {
		return ""
	}
	return " in the last " + days(float64(e.WithinDays))
}

func days(n float64) string {
	if n == 1 {
		return "day"
	}
	return fmt.Sprintf("%g days", n)
}
