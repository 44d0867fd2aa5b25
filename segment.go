package touchpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Segment is a named group of customers defined by conditions on what
// Touchpoint knows about them: traits, computed traits, what they did and
// when, what they told you, the journeys they are in, their accounts, their
// consent and other segments. Membership is kept up to date as events
// arrive and as time passes; entering and leaving are events in the log
// (segment.entered, segment.exited) that journeys can start on.
type Segment struct {
	ID          string `json:"id"`
	Workspace   string `json:"workspace"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Persona marks a manual persona: a named, described segment that the
	// personas page shows beside the discovered ones.
	Persona   bool             `json:"persona"`
	Condition SegmentCondition `json:"condition"`
	// Version counts changes of the definition.
	Version int `json:"version"`
	// Size is how many customers are in the segment now.
	Size int64 `json:"size"`
	// EvaluatedVersion is the version membership was computed for; while
	// it is behind Version the new definition is being applied.
	EvaluatedVersion int       `json:"evaluated_version"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	CreatedBy        string    `json:"created_by,omitempty"`
}

// Limits of segment definitions.
const (
	MaxSegmentConditions = 100  // leaf conditions in one definition
	MaxSegmentDepth      = 10   // nesting of and/or/not
	MaxEventCount        = 1000 // the count an event condition compares with
	MaxWindowDays        = 3650 // the longest window, ten years
	MaxPropertyFilters   = 10   // property filters of one event condition
	MaxValueList         = 100  // values of an "in" comparison
	maxValueLen          = 500
	maxKeyLen            = 200
)

// SegmentCondition is one node of a segment definition. Exactly one field is set:
// And, Or and Not combine other conditions; the rest are leaves.
//
//	{"and": [
//	  {"event": {"name": "Order Completed", "op": "gte", "count": 2, "within_days": 30}},
//	  {"not": {"event": {"name": "Application Opened", "within_days": 14}}},
//	  {"trait": {"key": "plan", "op": "eq", "value": "pro"}}
//	]}
type SegmentCondition struct {
	And []SegmentCondition `json:"and,omitempty"`
	Or  []SegmentCondition `json:"or,omitempty"`
	Not *SegmentCondition  `json:"not,omitempty"`

	// Trait compares a profile trait (the latest value set by identify).
	Trait *ValueCondition `json:"trait,omitempty"`
	// Computed compares a computed trait: events, orders, revenue
	// (numbers) or first_seen, last_seen, last_order_at (times).
	Computed *ValueCondition `json:"computed,omitempty"`
	// Event counts what the customer did, optionally in a window.
	Event *EventCondition `json:"event,omitempty"`
	// Feedback looks at what the customer told you: their last NPS answer
	// or the sentiment of their recent feedback.
	Feedback *FeedbackCondition `json:"feedback,omitempty"`
	// Journey looks at the customer's state in a journey.
	Journey *JourneyCondition `json:"journey,omitempty"`
	// Account compares a trait of any of the customer's accounts.
	Account *ValueCondition `json:"account,omitempty"`
	// Consent is the customer's latest answer for a channel.
	Consent *ConsentCondition `json:"consent,omitempty"`
	// Segment is membership of another segment.
	Segment *SegmentRef `json:"segment,omitempty"`
}

// Comparison operators. Not every operator suits every value: gt, gte, lt
// and lte compare numbers; contains a string; in a list; within_last and
// more_than compare times with a number of days before now.
const (
	OpEq         = "eq"
	OpNeq        = "neq"
	OpGt         = "gt"
	OpGte        = "gte"
	OpLt         = "lt"
	OpLte        = "lte"
	OpContains   = "contains"
	OpIn         = "in"
	OpExists     = "exists"
	OpNotExists  = "not_exists"
	OpWithinLast = "within_last"
	OpMoreThan   = "more_than"
)

// ValueCondition compares a named value (a trait, a computed trait, an
// event property, an account trait) with Value.
//
// Missing values: exists is false, not_exists and neq are true, every
// other comparison is false. Strings compare exactly (contains ignores
// case); numbers compare as numbers, and a number sent as a string
// ("42") counts as one; booleans only equal booleans.
type ValueCondition struct {
	Key   string `json:"key"`
	Op    string `json:"op"`
	Value Value  `json:"value,omitzero"`
}

// PropertyFilter is a ValueCondition on an event property.
type PropertyFilter struct {
	Property string `json:"property"`
	Op       string `json:"op"`
	Value    Value  `json:"value,omitzero"`
}

// EventCondition counts the customer's events of one kind — a track event
// by name, or pages and screens (optionally by name) — on an optional
// channel, with optional property filters, in the last WithinDays days
// (0: ever), and compares the count: "did Order Completed at least 2 times
// in the last 30 days" is {"name":"Order Completed","op":"gte","count":2,
// "within_days":30}; "did not open the app in 14 days" is
// {"name":"Application Opened","op":"eq","count":0,"within_days":14}.
// Op and Count default to "gte" and 1: the customer did it.
type EventCondition struct {
	// Type is track (the default), page or screen.
	Type       string           `json:"type,omitempty"`
	Name       string           `json:"name,omitempty"`
	Channel    string           `json:"channel,omitempty"`
	Where      []PropertyFilter `json:"where,omitempty"`
	Op         string           `json:"op,omitempty"`
	Count      int              `json:"count,omitempty"`
	WithinDays int              `json:"within_days,omitempty"`
}

// Feedback metrics.
const (
	FeedbackNPS       = "nps"       // the customer's latest NPS answer (0-10)
	FeedbackSentiment = "sentiment" // how many feedback items had a sentiment
)

// FeedbackCondition is about what the customer told you.
//
//	{"metric":"nps","op":"lte","value":6}                       last NPS answer was a detractor's
//	{"metric":"nps","op":"exists","within_days":90}             answered NPS in the last 90 days
//	{"metric":"sentiment","sentiment":"negative","within_days":30}  negative feedback in 30 days
type FeedbackCondition struct {
	Metric string `json:"metric"`
	// Op and Value compare the NPS score (metric nps); Op and Count the
	// number of items (metric sentiment, default gte 1).
	Op         string `json:"op,omitempty"`
	Value      Value  `json:"value,omitzero"`
	Sentiment  string `json:"sentiment,omitempty"`
	Count      int    `json:"count,omitempty"`
	WithinDays int    `json:"within_days,omitempty"`
}

// Journey states a condition can ask about.
const (
	JourneyStateIn        = "in"        // entered and not exited since
	JourneyStateEntered   = "entered"   // entered (in the window, if one is set)
	JourneyStateExited    = "exited"    // exited (in the window, if one is set)
	JourneyStateConverted = "converted" // reached the journey's goal (in the window, if one is set)
)

// JourneyCondition is about a customer's state in a journey, as the
// journey.entered, journey.exited and journey.converted events tell it.
type JourneyCondition struct {
	JourneyID  string `json:"journey_id"`
	State      string `json:"state"`
	WithinDays int    `json:"within_days,omitempty"`
}

// Consent statuses a condition can ask about. "unknown" is a customer who
// never answered for the channel.
const (
	ConsentStatusSubscribed   = "subscribed"
	ConsentStatusUnsubscribed = "unsubscribed"
	ConsentStatusUnknown      = "unknown"
)

// ConsentChannels are the channels customers give consent for.
var ConsentChannels = []string{ChannelEmail, ChannelSMS, "in_app"}

// ConsentCondition is the customer's latest consent answer for a channel,
// as the consent.changed events tell it.
type ConsentCondition struct {
	Channel string `json:"channel"`
	Status  string `json:"status"`
}

// SegmentRef is membership of another segment of the workspace.
type SegmentRef struct {
	ID string `json:"id"`
}

// Computed traits a condition can compare. Numbers compare with eq, neq,
// gt, gte, lt, lte; times with within_last, more_than, exists, not_exists.
var (
	ComputedNumbers = []string{"events", "orders", "revenue", "last_nps"}
	ComputedTimes   = []string{"first_seen", "last_seen", "last_order_at"}
)

// Platform events a segment reads to know journey state and consent.
const (
	EventJourneyEntered   = "journey.entered"
	EventJourneyExited    = "journey.exited"
	EventJourneyConverted = "journey.converted"
	EventConsentChanged   = "consent.changed"
	EventSegmentEntered   = "segment.entered"
	EventSegmentExited    = "segment.exited"
	EventOrderCompleted   = "Order Completed"
	EventNPSAnswered      = "NPS Answered"
)

// Validate names the first bad field. It checks the definition's shape;
// that referenced segments exist and form no cycle is checked where all
// of the workspace's segments are known.
func (s *Segment) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	switch {
	case s.Name == "":
		return FieldError("name", "required")
	case len(s.Name) > maxKeyLen:
		return FieldError("name", "must be at most %d characters", maxKeyLen)
	case len(s.Description) > 2000:
		return FieldError("description", "must be at most 2000 characters")
	}
	return s.Condition.Validate("condition")
}

// Validate checks a condition tree; field is the tree's path in the
// caller's JSON ("condition").
func (c *SegmentCondition) Validate(field string) error {
	leaves := 0
	return c.validate(field, 0, &leaves)
}

func (c *SegmentCondition) validate(field string, depth int, leaves *int) error {
	if depth > MaxSegmentDepth {
		return FieldError(field, "nested more than %d levels deep", MaxSegmentDepth)
	}
	set := 0
	for _, b := range []bool{c.And != nil, c.Or != nil, c.Not != nil, c.Trait != nil, c.Computed != nil, c.Event != nil,
		c.Feedback != nil, c.Journey != nil, c.Account != nil, c.Consent != nil, c.Segment != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		what := "empty"
		if set > 1 {
			what = "more than one kind"
		}
		return FieldError(field, "a condition is exactly one of and, or, not, trait, computed, event, feedback, journey, account, consent, segment (this one is %s)", what)
	}
	if c.And == nil && c.Or == nil && c.Not == nil {
		*leaves++
		if *leaves > MaxSegmentConditions {
			return FieldError(field, "a definition has at most %d conditions", MaxSegmentConditions)
		}
	}
	switch {
	case c.And != nil || c.Or != nil:
		list, name := c.And, "and"
		if c.Or != nil {
			list, name = c.Or, "or"
		}
		if len(list) == 0 {
			return FieldError(field+"."+name, "needs at least one condition")
		}
		for i := range list {
			if err := list[i].validate(fmt.Sprintf("%s.%s[%d]", field, name, i), depth+1, leaves); err != nil {
				return err
			}
		}
	case c.Not != nil:
		return c.Not.validate(field+".not", depth+1, leaves)
	case c.Trait != nil:
		return c.Trait.validate(field+".trait", false)
	case c.Account != nil:
		return c.Account.validate(field+".account", false)
	case c.Computed != nil:
		return c.Computed.validateComputed(field + ".computed")
	case c.Event != nil:
		return c.Event.validate(field + ".event")
	case c.Feedback != nil:
		return c.Feedback.validate(field + ".feedback")
	case c.Journey != nil:
		return c.Journey.validate(field + ".journey")
	case c.Consent != nil:
		return c.Consent.validate(field + ".consent")
	case c.Segment != nil:
		if !segmentIDPattern(c.Segment.ID) {
			return FieldError(field+".segment.id", "must be a segment id (seg_…)")
		}
	}
	return nil
}

func segmentIDPattern(id string) bool {
	if !strings.HasPrefix(id, "seg_") || len(id) > 64 || len(id) < 5 {
		return false
	}
	for _, r := range id[4:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// validate checks a comparison; keyName is how the key field is spelled
// ("key" or "property").
func (v *ValueCondition) validate(field string, property bool) error {
	keyName := "key"
	if property {
		keyName = "property"
	}
	v.Key = strings.TrimSpace(v.Key)
	if v.Key == "" {
		return FieldError(field+"."+keyName, "required")
	} else if len(v.Key) > maxKeyLen {
		return FieldError(field+"."+keyName, "must be at most %d characters", maxKeyLen)
	}
	return validateComparison(field, v.Op, v.Value)
}

// validateComparison checks that op suits value.
func validateComparison(field, op string, v Value) error {
	switch op {
	case OpExists, OpNotExists:
		if !v.IsZero() {
			return FieldError(field+".value", "%s takes no value", op)
		}
	case OpEq, OpNeq:
		if v.Kind != ValueString && v.Kind != ValueNumber && v.Kind != ValueBool {
			return FieldError(field+".value", "%s needs a string, number or boolean", op)
		}
	case OpGt, OpGte, OpLt, OpLte:
		if v.Kind != ValueNumber {
			return FieldError(field+".value", "%s compares numbers: give a number", op)
		}
	case OpContains:
		if v.Kind != ValueString || v.Str == "" {
			return FieldError(field+".value", "contains needs a non-empty string")
		}
	case OpIn:
		if v.Kind != ValueList || len(v.Strs)+len(v.Nums) == 0 {
			return FieldError(field+".value", "in needs a list of strings or of numbers")
		}
	case "":
		return FieldError(field+".op", "required (eq, neq, gt, gte, lt, lte, contains, in, exists, not_exists)")
	default:
		return FieldError(field+".op", "unknown operator %q (want eq, neq, gt, gte, lt, lte, contains, in, exists, not_exists)", op)
	}
	if v.Kind == ValueString && len(v.Str) > maxValueLen {
		return FieldError(field+".value", "must be at most %d characters", maxValueLen)
	}
	if v.Kind == ValueNumber && (math.IsNaN(v.Num) || math.IsInf(v.Num, 0)) {
		return FieldError(field+".value", "must be a finite number")
	}
	return nil
}

func (v *ValueCondition) validateComputed(field string) error {
	v.Key = strings.TrimSpace(v.Key)
	switch {
	case slices.Contains(ComputedNumbers, v.Key):
		switch v.Op {
		case OpEq, OpNeq, OpGt, OpGte, OpLt, OpLte:
			if v.Value.Kind != ValueNumber {
				return FieldError(field+".value", "%s is a number: give a number", v.Key)
			}
			return validateComparison(field, v.Op, v.Value)
		case OpExists, OpNotExists:
			if v.Key != "last_nps" {
				return FieldError(field+".op", "%s always has a value; compare it with eq, neq, gt, gte, lt or lte", v.Key)
			}
			return validateComparison(field, v.Op, v.Value)
		}
		return FieldError(field+".op", "%s compares with eq, neq, gt, gte, lt or lte", v.Key)
	case slices.Contains(ComputedTimes, v.Key):
		switch v.Op {
		case OpWithinLast, OpMoreThan:
			if v.Value.Kind != ValueNumber || v.Value.Num < 0 || v.Value.Num > MaxWindowDays || v.Value.Num != math.Trunc(v.Value.Num) {
				return FieldError(field+".value", "a number of days from 0 to %d", MaxWindowDays)
			}
			return nil
		case OpExists, OpNotExists:
			return validateComparison(field, v.Op, v.Value)
		}
		return FieldError(field+".op", "%s is a time: compare it with within_last or more_than (days), exists or not_exists", v.Key)
	case v.Key == "":
		return FieldError(field+".key", "required (%s)", strings.Join(slices.Concat(ComputedNumbers, ComputedTimes), ", "))
	}
	return FieldError(field+".key", "unknown computed trait %q (want %s)", v.Key, strings.Join(slices.Concat(ComputedNumbers, ComputedTimes), ", "))
}

// CountOp normalises an event or sentiment count comparison: the operator
// and count, with the defaults (gte 1) filled in.
func CountOp(op string, count int) (string, int) {
	if op == "" {
		op = OpGte
		if count == 0 {
			count = 1
		}
	}
	return op, count
}

func validateCount(field, op string, count int) error {
	switch op {
	case OpEq, OpNeq, OpGt, OpGte, OpLt, OpLte:
	default:
		return FieldError(field+".op", "unknown count operator %q (want eq, neq, gt, gte, lt, lte)", op)
	}
	if count < 0 || count > MaxEventCount {
		return FieldError(field+".count", "must be between 0 and %d", MaxEventCount)
	}
	return nil
}

func validateWindow(field string, days int) error {
	if days < 0 || days > MaxWindowDays {
		return FieldError(field+".within_days", "must be between 1 and %d (or 0 for ever)", MaxWindowDays)
	}
	return nil
}

func (e *EventCondition) validate(field string) error {
	switch e.Type {
	case "", string(TypeTrack):
		e.Type = string(TypeTrack)
		if strings.TrimSpace(e.Name) == "" {
			return FieldError(field+".name", "required: the event's name (e.g. Order Completed)")
		}
		if e.Name == EventSegmentEntered || e.Name == EventSegmentExited {
			return FieldError(field+".name", "%s is recorded by segments themselves; use a segment condition instead", e.Name)
		}
	case string(TypePage), string(TypeScreen):
	default:
		return FieldError(field+".type", "must be track, page or screen")
	}
	if len(e.Name) > maxKeyLen {
		return FieldError(field+".name", "must be at most %d characters", maxKeyLen)
	}
	if len(e.Channel) > 64 {
		return FieldError(field+".channel", "must be at most 64 characters")
	}
	if len(e.Where) > MaxPropertyFilters {
		return FieldError(field+".where", "at most %d property filters", MaxPropertyFilters)
	}
	for i := range e.Where {
		w := &e.Where[i]
		vc := ValueCondition{Key: w.Property, Op: w.Op, Value: w.Value}
		if err := vc.validate(fmt.Sprintf("%s.where[%d]", field, i), true); err != nil {
			return err
		}
		w.Property = vc.Key
	}
	op, count := CountOp(e.Op, e.Count)
	if err := validateCount(field, op, count); err != nil {
		return err
	}
	return validateWindow(field, e.WithinDays)
}

func (f *FeedbackCondition) validate(field string) error {
	switch f.Metric {
	case FeedbackNPS:
		if f.Sentiment != "" || f.Count != 0 {
			return FieldError(field+".sentiment", "only for metric sentiment")
		}
		if err := validateComparison(field, f.Op, f.Value); err != nil {
			return err
		}
		if f.Op == OpContains || f.Value.Kind == ValueString || f.Value.Kind == ValueBool || len(f.Value.Strs) > 0 {
			return FieldError(field+".value", "an NPS score is a number from 0 to 10")
		}
	case FeedbackSentiment:
		switch f.Sentiment {
		case SentimentPositive, SentimentNeutral, SentimentNegative:
		default:
			return FieldError(field+".sentiment", "must be positive, neutral or negative")
		}
		if !f.Value.IsZero() {
			return FieldError(field+".value", "sentiment counts items: use op and count")
		}
		op, count := CountOp(f.Op, f.Count)
		if err := validateCount(field, op, count); err != nil {
			return err
		}
	case "":
		return FieldError(field+".metric", "required (nps or sentiment)")
	default:
		return FieldError(field+".metric", "unknown metric %q (want nps or sentiment)", f.Metric)
	}
	return validateWindow(field, f.WithinDays)
}

func (j *JourneyCondition) validate(field string) error {
	if strings.TrimSpace(j.JourneyID) == "" {
		return FieldError(field+".journey_id", "required")
	} else if len(j.JourneyID) > 100 {
		return FieldError(field+".journey_id", "must be at most 100 characters")
	}
	switch j.State {
	case JourneyStateIn:
		if j.WithinDays != 0 {
			return FieldError(field+".within_days", "is for entered, exited and converted: being in a journey has no window")
		}
	case JourneyStateEntered, JourneyStateExited, JourneyStateConverted:
	default:
		return FieldError(field+".state", "must be in, entered, exited or converted")
	}
	return validateWindow(field, j.WithinDays)
}

func (c *ConsentCondition) validate(field string) error {
	if !slices.Contains(ConsentChannels, c.Channel) {
		return FieldError(field+".channel", "must be one of %s", strings.Join(ConsentChannels, ", "))
	}
	switch c.Status {
	case ConsentStatusSubscribed, ConsentStatusUnsubscribed, ConsentStatusUnknown:
	default:
		return FieldError(field+".status", "must be subscribed, unsubscribed or unknown")
	}
	return nil
}

// SegmentRefs lists the segments a condition names, in order, once each.
func (c *SegmentCondition) SegmentRefs() []string {
	var out []string
	var walk func(c *SegmentCondition)
	walk = func(c *SegmentCondition) {
		switch {
		case c.Segment != nil:
			if !slices.Contains(out, c.Segment.ID) {
				out = append(out, c.Segment.ID)
			}
		case c.Not != nil:
			walk(c.Not)
		}
		for i := range c.And {
			walk(&c.And[i])
		}
		for i := range c.Or {
			walk(&c.Or[i])
		}
	}
	walk(c)
	return out
}

// ParseSegmentDefinition reads a segment body as an API client sends it,
// rejecting unknown fields, and validates it. Returns EINVALID naming the
// field.
func ParseSegmentDefinition(data []byte) (*Segment, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Segment
	if err := dec.Decode(&s); err != nil {
		return nil, Errorf(EINVALID, "invalid segment JSON: %s", err.Error())
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// ValueKind says what a Value holds.
type ValueKind uint8

// Value kinds.
const (
	ValueNone ValueKind = iota
	ValueString
	ValueNumber
	ValueBool
	ValueList
)

// Value is what a comparison compares with: a JSON string, number or
// boolean, or a list of strings or of numbers.
type Value struct {
	Kind ValueKind
	Str  string
	Num  float64
	Bool bool
	Strs []string
	Nums []float64
}

// StringValue, NumberValue, BoolValue and ListValue make values.
func StringValue(s string) Value { return Value{Kind: ValueString, Str: s} }

// NumberValue makes a number value.
func NumberValue(f float64) Value { return Value{Kind: ValueNumber, Num: f} }

// BoolValue makes a boolean value.
func BoolValue(b bool) Value { return Value{Kind: ValueBool, Bool: b} }

// ListValue makes a list of strings.
func ListValue(s ...string) Value { return Value{Kind: ValueList, Strs: s} }

// IsZero reports whether no value was given.
func (v Value) IsZero() bool { return v.Kind == ValueNone }

// MarshalJSON writes the value as the JSON it was read from.
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.Kind {
	case ValueString:
		return json.Marshal(v.Str)
	case ValueNumber:
		return json.Marshal(v.Num)
	case ValueBool:
		return json.Marshal(v.Bool)
	case ValueList:
		if v.Nums != nil {
			return json.Marshal(v.Nums)
		}
		if v.Strs == nil {
			return []byte("[]"), nil
		}
		return json.Marshal(v.Strs)
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads a string, number, boolean, null, or a list of
// strings or of numbers.
func (v *Value) UnmarshalJSON(b []byte) error {
	*v = Value{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil
	}
	switch b[0] {
	case '"':
		v.Kind = ValueString
		return json.Unmarshal(b, &v.Str)
	case 't', 'f':
		v.Kind = ValueBool
		return json.Unmarshal(b, &v.Bool)
	case '[':
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		if len(raw) > MaxValueList {
			return fmt.Errorf("a list has at most %d values", MaxValueList)
		}
		v.Kind = ValueList
		for _, r := range raw {
			r = bytes.TrimSpace(r)
			if len(r) > 0 && r[0] == '"' {
				var s string
				if err := json.Unmarshal(r, &s); err != nil {
					return err
				}
				v.Strs = append(v.Strs, s)
				continue
			}
			var f float64
			if err := json.Unmarshal(r, &f); err != nil {
				return fmt.Errorf("a list holds strings or numbers")
			}
			v.Nums = append(v.Nums, f)
		}
		if len(v.Strs) > 0 && len(v.Nums) > 0 {
			return fmt.Errorf("a list holds strings or numbers, not both")
		}
		if v.Strs == nil && v.Nums == nil {
			v.Strs = []string{}
		}
		return nil
	case '{':
		return fmt.Errorf("a value is a string, number, boolean or list, not an object")
	}
	v.Kind = ValueNumber
	return json.Unmarshal(b, &v.Num)
}

// Text is the value as a person would write it, for descriptions.
func (v Value) Text() string {
	switch v.Kind {
	case ValueString:
		return strconv.Quote(v.Str)
	case ValueNumber:
		return strconv.FormatFloat(v.Num, 'f', -1, 64)
	case ValueBool:
		return strconv.FormatBool(v.Bool)
	case ValueList:
		b, _ := v.MarshalJSON()
		return string(b)
	}
	return ""
}

// SegmentFilter selects segments. Nil fields do not filter.
type SegmentFilter struct {
	Workspace string
	Persona   *bool
}

// SegmentMember is one customer in a segment, with the identifiers an
// export needs.
type SegmentMember struct {
	ProfileID   string    `json:"profile_id"`
	Since       time.Time `json:"since"`
	UserID      string    `json:"user_id,omitempty"`
	Email       string    `json:"email,omitempty"`
	Phone       string    `json:"phone,omitempty"`
	AnonymousID string    `json:"anonymous_id,omitempty"`
	Name        string    `json:"name,omitempty"`
}

// SegmentMemberFilter pages through a segment's (or a discovered
// persona's) members in profile id order.
type SegmentMemberFilter struct {
	Workspace string
	SegmentID string
	// After is the last profile id of the previous page.
	After string
	Limit int
}

// Limits of member pages.
const (
	DefaultMemberLimit = 100
	MaxMemberLimit     = 10000
)

// Membership changes.
const (
	SegmentEntered = "entered"
	SegmentExited  = "exited"
)

// SegmentChange is one customer entering or leaving a segment.
type SegmentChange struct {
	ID        int64     `json:"id"`
	SegmentID string    `json:"segment_id"`
	ProfileID string    `json:"profile_id"`
	Change    string    `json:"change"`
	At        time.Time `json:"at"`
	// Reason says what caused it: an event, the passing of time, the
	// definition changing, a merge.
	Reason string `json:"reason"`
	// EventID is the segment.entered or segment.exited event recorded
	// ("" when no event was recorded: a merge, a deleted definition).
	EventID string `json:"event_id,omitempty"`
}

// Reasons of membership changes.
const (
	ReasonEvent      = "event"      // an event the customer sent, or a trait or identity change
	ReasonTime       = "time"       // a window passed with no event
	ReasonDefinition = "definition" // the segment was created or changed
	ReasonMerge      = "merge"      // the profile was merged into another
)

// SegmentHistoryFilter selects membership changes, newest first.
type SegmentHistoryFilter struct {
	Workspace string
	SegmentID string
	ProfileID string
	// Before pages: changes older than the change with this id.
	Before int64
	Limit  int
}

// SegmentSize is a segment's size at the end of a UTC day, with the
// customers who entered and left that day.
type SegmentSize struct {
	Day     time.Time `json:"day"`
	Size    int64     `json:"size"`
	Entered int64     `json:"entered"`
	Exited  int64     `json:"exited"`
}

// SegmentEstimate is how many customers a definition selects now.
type SegmentEstimate struct {
	Size int64 `json:"size"`
	// Total is how many customers the workspace has, for a share.
	Total  int64 `json:"total"`
	TookMS int64 `json:"took_ms"`
}

// SegmentService keeps segment definitions and answers questions about
// their members.
type SegmentService interface {
	// CreateSegment stores a new segment; its membership is computed in
	// the background. Returns EINVALID naming the field (name for a name
	// in use, condition for a segment that does not exist), ECONFLICT for
	// a cycle of segments.
	CreateSegment(ctx context.Context, s *Segment) error
	// UpdateSegment replaces a segment's definition (and bumps Version).
	// Same errors as CreateSegment, and ENOTFOUND for an unknown segment.
	UpdateSegment(ctx context.Context, s *Segment) error
	// DeleteSegment removes a segment and its membership (without exit
	// events). Returns ENOTFOUND, or ECONFLICT if another segment names it.
	DeleteSegment(ctx context.Context, workspace, id string) error
	// FindSegment returns a segment. Returns ENOTFOUND.
	FindSegment(ctx context.Context, workspace, id string) (*Segment, error)
	// FindSegments lists segments by name.
	FindSegments(ctx context.Context, f SegmentFilter) ([]*Segment, error)
	// EstimateSegment counts the customers a definition selects now,
	// from the analytics store. Returns EINVALID naming the field.
	EstimateSegment(ctx context.Context, workspace string, c SegmentCondition) (*SegmentEstimate, error)
	// SegmentMembersPage pages through members. Returns ENOTFOUND for an
	// unknown segment, EINVALID for a bad limit.
	SegmentMembersPage(ctx context.Context, f SegmentMemberFilter) ([]SegmentMember, error)
	// SegmentHistory lists membership changes, newest first.
	SegmentHistory(ctx context.Context, f SegmentHistoryFilter) ([]SegmentChange, error)
	// SegmentSizes returns the size at the end of each day since since.
	SegmentSizes(ctx context.Context, workspace, id string, since time.Time) ([]SegmentSize, error)
	// ProfileSegments lists the segments a profile is in now.
	ProfileSegments(ctx context.Context, workspace, profileID string) ([]*Segment, error)
}

// SegmentMembership answers whether one customer is in a segment without
// listing the segment, for checks made per request (the survey widget).
type SegmentMembership interface {
	// IsMember reports whether a profile is in a segment (or a
	// discovered persona) now. Returns ENOTFOUND for an unknown segment.
	IsMember(ctx context.Context, workspace, segmentID, profileID string) (bool, error)
}

// Destination is an outside tool a segment is synced to: a webhook that
// receives the segment's members, then who enters and who leaves.
// Deliveries are signed with the destination's secret (see README).
type Destination struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	SegmentID string `json:"segment_id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	// Secret signs deliveries; it is shown when the destination is made.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Pending, Delivered and Failed count deliveries; LastError is the
	// latest failure's reason.
	Pending   int64      `json:"pending"`
	Delivered int64      `json:"delivered"`
	Failed    int64      `json:"failed"`
	LastError string     `json:"last_error,omitempty"`
	LastAt    *time.Time `json:"last_delivery_at,omitempty"`
}

// Validate names the first bad field (the address's safety is checked by
// the sender, which knows the allowed hosts).
func (d *Destination) Validate() error {
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" {
		d.Name = "Webhook"
	}
	if len(d.Name) > maxKeyLen {
		return FieldError("name", "must be at most %d characters", maxKeyLen)
	}
	if !strings.HasPrefix(d.URL, "https://") && !strings.HasPrefix(d.URL, "http://") {
		return FieldError("url", "must be an http or https URL")
	}
	if len(d.URL) > 2000 {
		return FieldError("url", "must be at most 2000 characters")
	}
	return nil
}

// DestinationService syncs segments to outside tools.
type DestinationService interface {
	// CreateDestination adds a webhook to a segment and queues a full sync
	// of its members. Returns EINVALID naming the field (a URL that
	// reaches a private address is refused unless its host is allowed),
	// ENOTFOUND for an unknown segment.
	CreateDestination(ctx context.Context, d *Destination) error
	// Destinations lists a segment's destinations with their delivery counts.
	Destinations(ctx context.Context, workspace, segmentID string) ([]*Destination, error)
	// DeleteDestination removes one; its queued deliveries are dropped.
	DeleteDestination(ctx context.Context, workspace, segmentID, id string) error
	// SyncDestination queues a full sync of the segment's members.
	SyncDestination(ctx context.Context, workspace, segmentID, id string) error
}

// Persona kinds.
const (
	PersonaManual     = "manual"     // a segment marked as a persona
	PersonaDiscovered = "discovered" // a cluster found in customers' behaviour
)

// Persona is a kind of customer: a manual one is a named, described
// segment; a discovered one a cluster of customers alike in behaviour,
// channel mix, value and CX scores, with a description of what sets it
// apart.
type Persona struct {
	ID          string `json:"id"`
	Workspace   string `json:"workspace"`
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// SegmentID is the segment of a manual persona.
	SegmentID string `json:"segment_id,omitempty"`
	Size      int64  `json:"size"`
	// Share is Size over the customers clustered (discovered personas).
	Share float64 `json:"share,omitempty"`
	// NPS is computed over the members' latest NPS answers; nil when
	// fewer than one member answered.
	NPS          *float64 `json:"nps"`
	NPSResponses int64    `json:"nps_responses"`
	// ChurnRisk is from 0 to 1; ChurnSource says how it was computed.
	ChurnRisk   *float64 `json:"churn_risk"`
	ChurnSource string   `json:"churn_source"`
	// Features are the persona's averages beside everyone's.
	Features    []PersonaFeature `json:"features,omitempty"`
	RefreshedAt time.Time        `json:"refreshed_at"`
}

// PersonaFeature is one clustering feature of a persona: its members'
// average, everyone's, and how far apart in standard deviations.
type PersonaFeature struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// Unit is count, share (0 to 1), money or score.
	Unit    string  `json:"unit"`
	Value   float64 `json:"value"`
	Overall float64 `json:"overall"`
	Z       float64 `json:"z"`
}

// PersonaRun describes the last discovery of personas.
type PersonaRun struct {
	// Run numbers discovery runs; persona ids carry it.
	Run       uint64    `json:"run"`
	Workspace string    `json:"workspace"`
	At        time.Time `json:"at"`
	// K is the number of clusters chosen, Criterion how, Silhouette the
	// mean silhouette of the choice, Scores the silhouette of each k tried.
	K          int             `json:"k"`
	Criterion  string          `json:"criterion"`
	Silhouette float64         `json:"silhouette"`
	Scores     map[int]float64 `json:"scores"`
	Customers  int64           `json:"customers"`
	TookMS     int64           `json:"took_ms"`
}

// PersonaService discovers personas and lists them beside manual ones.
type PersonaService interface {
	// Personas lists manual and discovered personas with their sizes, NPS
	// and churn risk, and the last discovery run (nil if none ran).
	Personas(ctx context.Context, workspace string) ([]*Persona, *PersonaRun, error)
	// RefreshPersonas discovers personas again now. Returns ECONFLICT if a
	// refresh of the workspace is already running.
	RefreshPersonas(ctx context.Context, workspace string) (*PersonaRun, error)
	// DiscoveredPersonas lists the discovered personas as the last run
	// stored them, without computing anything: for pickers.
	DiscoveredPersonas(ctx context.Context, workspace string) ([]*Persona, error)
}

// SegmentHints are what the segment builder suggests as the user types:
// the names the workspace's data holds.
type SegmentHints struct {
	Events        []string `json:"events"`
	Pages         []string `json:"pages"`
	Traits        []string `json:"traits"`
	AccountTraits []string `json:"account_traits"`
	Journeys      []string `json:"journeys"`
	Channels      []string `json:"channels"`
	// Properties are the property keys seen on each event.
	Properties map[string][]string `json:"properties"`
}

// SegmentHinter reads suggestions for the segment builder.
type SegmentHinter interface {
	SegmentHints(ctx context.Context, workspace string) (*SegmentHints, error)
}
