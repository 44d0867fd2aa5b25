package touchpoint

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Customer journey analytics answer questions about what customers do, in
// order, over time: funnels, paths, retention, the journey map discovered
// from the events, what drives satisfaction and churn, and what each
// customer is likely to be worth. Every answer counts profiles as identity
// resolution sees them at the moment of the query: a merge or an unmerge
// shows at once, and an event identity resolution has not reached yet
// counts as its own customer.
//
// An activity is what a journey is made of: a track call's event name, or
// a page or screen call written "page:Name" / "screen:Name". Identify,
// group and alias calls are not activities.

// AnalyticsService runs customer journey analytics over the analytics store.
// Every method returns EINVALID naming the offending field when the request
// is malformed.
type AnalyticsService interface {
	Funnel(ctx context.Context, r FunnelRequest) (*FunnelResponse, error)
	Paths(ctx context.Context, r PathsRequest) (*PathsResponse, error)
	Retention(ctx context.Context, r RetentionRequest) (*RetentionResponse, error)
	JourneyMap(ctx context.Context, r JourneyMapRequest) (*JourneyMap, error)
	Drivers(ctx context.Context, r DriversRequest) (*DriversResponse, error)
	Churn(ctx context.Context, r ChurnRequest) (*ChurnResponse, error)
	CLV(ctx context.Context, r CLVRequest) (*CLVResponse, error)

	// RefreshScores trains the churn and lifetime-value models on the
	// workspace's history and stores every profile's scores, replacing the
	// previous ones.
	RefreshScores(ctx context.Context, workspace string, now time.Time) (*ScoresRefresh, error)
	// ProfileScores returns the stored scores of a profile.
	// Returns ENOTFOUND if none were computed for it.
	ProfileScores(ctx context.Context, workspace, profileID string) (*ProfileScores, error)
}

// Scope narrows an analysis to a time range, channels and a set of
// customers. From is inclusive, To exclusive; either may be left out.
type Scope struct {
	Workspace string     `json:"-"`
	From      *time.Time `json:"from,omitempty"`
	To        *time.Time `json:"to,omitempty"`
	// Channels keeps only events on these channels.
	Channels []string `json:"channels,omitempty"`
	// Segment keeps only customers whose traits match every condition
	// (fields "trait.<name>").
	Segment []Condition `json:"segment,omitempty"`
	// Members keeps only the customers who are now in a segment or a
	// discovered persona, by id (seg_… or prs_…).
	Members string `json:"members,omitempty"`
}

// Validate checks the scope. Returns EINVALID naming the bad field.
func (s *Scope) Validate() error {
	if s.Workspace == "" {
		return FieldError("workspace", "required")
	}
	if s.From != nil && s.To != nil && !s.From.Before(*s.To) {
		return FieldError("to", "must be after from")
	}
	for i, c := range s.Channels {
		if strings.TrimSpace(c) == "" {
			return FieldError(fmt.Sprintf("channels[%d]", i), "must not be empty")
		}
	}
	if s.Members != "" && !strings.HasPrefix(s.Members, "seg_") && !strings.HasPrefix(s.Members, "prs_") {
		return FieldError("members", "must be a segment id (seg_…) or a discovered persona's id (prs_…)")
	}
	for i := range s.Segment {
		if err := s.Segment[i].Validate(fmt.Sprintf("segment[%d]", i)); err != nil {
			return err
		}
		if !strings.HasPrefix(s.Segment[i].Field, "trait.") {
			return FieldError(fmt.Sprintf("segment[%d].field", i), "must name a trait (trait.<name>)")
		}
	}
	return nil
}

// Condition compares one field of an event or a profile with a value.
//
// Field is a column of the event ("channel", "type", "source_id", "name",
// "event"), a path into its JSON ("properties.revenue",
// "context.campaign.name"), or a trait of the profile ("trait.plan").
// Op is one of eq, ne, gt, gte, lt, lte, contains, in, exists, not_exists;
// gt…lte compare numbers, the others compare text.
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value any    `json:"value,omitempty"`
}

// Condition operators.
var conditionOps = map[string]bool{"eq": true, "ne": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"contains": true, "in": true, "exists": true, "not_exists": true}

// EventColumns are the event columns a condition or a breakdown may name.
var EventColumns = map[string]bool{"channel": true, "type": true, "source_id": true, "name": true, "event": true, "category": true}

var pathSegment = regexp.MustCompile(`^[A-Za-z0-9_\-$@ ]{1,64}$`)

// Validate checks the condition; name is how the caller spells it.
func (c *Condition) Validate(name string) error {
	if _, err := SplitField(name+".field", c.Field); err != nil {
		return err
	}
	if c.Op == "" {
		c.Op = "eq"
	}
	if !conditionOps[c.Op] {
		return FieldError(name+".op", "unknown operator %q (want eq, ne, gt, gte, lt, lte, contains, in, exists or not_exists)", c.Op)
	}
	switch c.Op {
	case "exists", "not_exists":
	case "gt", "gte", "lt", "lte":
		if _, ok := c.Value.(float64); !ok {
			return FieldError(name+".value", "must be a number for %s", c.Op)
		}
	case "in":
		vs, ok := c.Value.([]any)
		if !ok || len(vs) == 0 {
			return FieldError(name+".value", "must be a non-empty list for in")
		}
	default:
		if c.Value == nil {
			return FieldError(name+".value", "required for %s", c.Op)
		}
	}
	return nil
}

// Values returns the condition's value as text, as a list for "in".
func (c *Condition) Values() []string {
	var out []string
	switch v := c.Value.(type) {
	case []any:
		for _, x := range v {
			out = append(out, valueText(x))
		}
	case nil:
	default:
		out = append(out, valueText(v))
	}
	return out
}

func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// Field kinds returned by SplitField.
const (
	FieldColumn = "column"
	FieldJSON   = "json"
	FieldTrait  = "trait"
)

// FieldRef is a parsed condition or breakdown field.
type FieldRef struct {
	Kind string // FieldColumn, FieldJSON or FieldTrait
	// Column is the event column (FieldColumn) or the JSON column
	// ("properties", "context", "traits") for FieldJSON.
	Column string
	// Path is the JSON path below Column, or the trait name.
	Path []string
}

// JSONPath renders the path for DuckDB's JSON functions: $."a"."b".
func (f FieldRef) JSONPath() string {
	var b strings.Builder
	b.WriteString("$")
	for _, p := range f.Path {
		b.WriteString(`."`)
		b.WriteString(p)
		b.WriteString(`"`)
	}
	return b.String()
}

// SplitField parses a field name. Returns EINVALID naming field.
func SplitField(field, s string) (FieldRef, error) {
	if EventColumns[s] {
		return FieldRef{Kind: FieldColumn, Column: s}, nil
	}
	head, rest, ok := strings.Cut(s, ".")
	if !ok || rest == "" {
		return FieldRef{}, FieldError(field, "unknown field %q (want an event column such as channel, properties.<key>, context.<key> or trait.<name>)", s)
	}
	parts := strings.Split(rest, ".")
	for _, p := range parts {
		if !pathSegment.MatchString(p) {
			return FieldRef{}, FieldError(field, "bad key %q in %q (letters, digits, _ - $ @ and spaces only)", p, s)
		}
	}
	switch head {
	case "properties", "context", "traits":
		return FieldRef{Kind: FieldJSON, Column: head, Path: parts}, nil
	case "trait":
		return FieldRef{Kind: FieldTrait, Path: parts}, nil
	}
	return FieldRef{}, FieldError(field, "unknown field %q (want an event column such as channel, properties.<key>, context.<key> or trait.<name>)", s)
}

// ParseWindow reads a duration such as "30m", "12h", "7d" or "2w".
// Returns EINVALID naming field.
func ParseWindow(field, s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return 0, FieldError(field, "invalid duration %q (want e.g. 30m, 12h, 7d or 2w)", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 3660 {
		return 0, FieldError(field, "invalid duration %q (want a whole number from 1 to 3660 followed by s, m, h, d or w)", s)
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, FieldError(field, "invalid duration %q (want a unit of s, m, h, d or w)", s)
	}
	return time.Duration(n) * unit, nil
}

// Seconds is a duration in seconds that reads as null when unknown (no
// customer made the step).
type Seconds = *float64

// Funnel order.
const (
	// OrderLoose lets other events happen between two steps.
	OrderLoose = "loose"
	// OrderStrict needs each step to be the customer's very next activity.
	OrderStrict = "strict"
)

// MaxFunnelSteps bounds a funnel's length.
const MaxFunnelSteps = 100

// FunnelRequest asks how many customers go through steps in order.
//
// A customer enters at a step-1 event inside [from, to) and reaches step k
// when steps 2…k follow in order within Window of that step-1 event (the
// last step may land after to). Every step-1 event is tried, so a customer
// who started twice counts with the attempt that went furthest.
type FunnelRequest struct {
	Scope
	Steps  []FunnelStep `json:"steps"`
	Window string       `json:"window,omitempty"` // default 7d
	Order  string       `json:"order,omitempty"`  // loose (default) or strict
	// Breakdown splits the counts by a field of the customer's first
	// step-1 event (channel, properties.…) or by a trait (trait.plan).
	Breakdown string `json:"breakdown,omitempty"`
	// DropOffLimit is how many customers each step's drop-off list names
	// (default 100, at most 10,000; -1 for none).
	DropOffLimit int `json:"drop_off_limit,omitempty"`

	WindowDuration time.Duration `json:"-"`
}

// FunnelStep is one step: an activity and conditions on its event.
type FunnelStep struct {
	Event string      `json:"event"`
	Where []Condition `json:"where,omitempty"`
}

// Validate checks the request and fills defaults.
func (r *FunnelRequest) Validate() error {
	if err := r.Scope.Validate(); err != nil {
		return err
	}
	if len(r.Steps) == 0 {
		return FieldError("steps", "at least one step is required")
	}
	if len(r.Steps) > MaxFunnelSteps {
		return FieldError("steps", "at most %d steps", MaxFunnelSteps)
	}
	for i := range r.Steps {
		s := &r.Steps[i]
		if strings.TrimSpace(s.Event) == "" {
			return FieldError(fmt.Sprintf("steps[%d].event", i), "required")
		}
		for j := range s.Where {
			if err := s.Where[j].Validate(fmt.Sprintf("steps[%d].where[%d]", i, j)); err != nil {
				return err
			}
			if s.Where[j].Field == "trait" || strings.HasPrefix(s.Where[j].Field, "trait.") {
				return FieldError(fmt.Sprintf("steps[%d].where[%d].field", i, j), "a step filters its event; filter customers by trait with segment")
			}
		}
	}
	if r.Window == "" {
		r.Window = "7d"
	}
	var err error
	if r.WindowDuration, err = ParseWindow("window", r.Window); err != nil {
		return err
	}
	switch r.Order {
	case "":
		r.Order = OrderLoose
	case OrderLoose, OrderStrict:
	default:
		return FieldError("order", "must be loose or strict, not %q", r.Order)
	}
	if r.Breakdown != "" {
		if _, err := SplitField("breakdown", r.Breakdown); err != nil {
			return err
		}
	}
	switch {
	case r.DropOffLimit == 0:
		r.DropOffLimit = 100
	case r.DropOffLimit == -1:
		r.DropOffLimit = 0
	case r.DropOffLimit < 0 || r.DropOffLimit > 10000:
		return FieldError("drop_off_limit", "must be from 1 to 10000, or -1 for none")
	}
	return nil
}

// FunnelResponse counts distinct customers at each step.
type FunnelResponse struct {
	Steps     []FunnelStepResult `json:"steps"`
	Breakdown []FunnelBreakdown  `json:"breakdown,omitempty"`
}

// FunnelStepResult is one step of a funnel.
type FunnelStepResult struct {
	Event string `json:"event"`
	// Count is how many customers reached this step.
	Count int64 `json:"count"`
	// Conversion is Count over the first step's count; StepConversion over
	// the previous step's.
	Conversion     float64 `json:"conversion"`
	StepConversion float64 `json:"step_conversion"`
	// MedianSeconds is the median time from the previous step (null for the
	// first step or when no one got here); MedianSecondsFromStart from step 1.
	MedianSeconds          Seconds `json:"median_seconds"`
	MedianSecondsFromStart Seconds `json:"median_seconds_from_start"`
	// Dropped counts the customers who reached the previous step and not
	// this one; DroppedProfiles names some of them.
	Dropped         int64    `json:"dropped"`
	DroppedProfiles []string `json:"dropped_profiles"`
}

// FunnelBreakdown is a funnel's counts for one value of the breakdown.
type FunnelBreakdown struct {
	Value  string  `json:"value"`
	Counts []int64 `json:"counts"`
}

// Path directions.
const (
	DirectionAfter  = "after"
	DirectionBefore = "before"
)

// PathsRequest asks what customers do after (or before) an activity.
type PathsRequest struct {
	Scope
	// Event is the anchor activity; each customer's first occurrence in
	// the range counts. Empty anchors on each customer's first activity.
	Event     string `json:"event,omitempty"`
	Direction string `json:"direction,omitempty"` // after (default) or before
	// Steps is how many activities each path holds (default 5, at most 20).
	Steps int `json:"steps,omitempty"`
	// Top is how many of the most common sequences to list (default 10,
	// at most 100).
	Top int `json:"top,omitempty"`
	// NodesPerStep keeps the busiest activities of each step in the Sankey
	// chart and folds the rest into "(other)" (default 8, at most 50).
	NodesPerStep int `json:"nodes_per_step,omitempty"`
}

// Validate checks the request and fills defaults.
func (r *PathsRequest) Validate() error {
	if err := r.Scope.Validate(); err != nil {
		return err
	}
	switch r.Direction {
	case "":
		r.Direction = DirectionAfter
	case DirectionAfter, DirectionBefore:
	default:
		return FieldError("direction", "must be after or before, not %q", r.Direction)
	}
	if r.Direction == DirectionBefore && r.Event == "" {
		return FieldError("event", "required to look before an activity")
	}
	if err := defaultInt(&r.Steps, "steps", 5, 1, 20); err != nil {
		return err
	}
	if err := defaultInt(&r.Top, "top", 10, 1, 100); err != nil {
		return err
	}
	return defaultInt(&r.NodesPerStep, "nodes_per_step", 8, 1, 50)
}

func defaultInt(v *int, field string, def, lo, hi int) error {
	if *v == 0 {
		*v = def
	}
	if *v < lo || *v > hi {
		return FieldError(field, "must be from %d to %d", lo, hi)
	}
	return nil
}

// PathEnd marks a path that stopped before its last step, PathStart one
// that began less than Steps activities before the anchor; PathOther is the
// Sankey node that holds the less common activities of a step.
const (
	PathEnd   = "(end)"
	PathStart = "(start)"
	PathOther = "(other)"
)

// PathsResponse lists the common paths and a Sankey chart of them.
type PathsResponse struct {
	Event     string `json:"event"`
	Direction string `json:"direction"`
	// Profiles is how many customers did the anchor activity.
	Profiles  int64          `json:"profiles"`
	Sequences []PathSequence `json:"sequences"`
	// Nodes and Links draw the Sankey chart: a node per activity at each
	// step ("2:Cart Viewed"), a link per pair of consecutive steps, valued
	// in customers.
	Nodes []SankeyNode `json:"nodes"`
	Links []SankeyLink `json:"links"`
}

// PathSequence is one sequence of activities and how many customers took it.
type PathSequence struct {
	Events []string `json:"events"`
	Count  int64    `json:"count"`
}

// SankeyNode is one activity at one step of the paths.
type SankeyNode struct {
	ID    string `json:"id"`
	Step  int    `json:"step"`
	Event string `json:"event"`
	Count int64  `json:"count"`
}

// SankeyLink joins two nodes of consecutive steps.
type SankeyLink struct {
	Source string `json:"source"`
	Target string `json:"target"`
	Value  int64  `json:"value"`
}

// Retention periods.
const (
	PeriodDay   = "day"
	PeriodWeek  = "week"
	PeriodMonth = "month"
)

// RetentionRequest asks how many customers of each cohort come back.
//
// A customer joins a cohort with their first StartEvent in [from, to);
// cohorts are the calendar period of that event (weeks start on Monday,
// UTC), or the value of CohortTrait. A customer returns in period k when
// they do ReturnEvent in the k-th calendar period after the one they
// joined in.
type RetentionRequest struct {
	Scope
	StartEvent  string `json:"start_event,omitempty"`  // empty: any activity
	ReturnEvent string `json:"return_event,omitempty"` // empty: any activity
	Period      string `json:"period,omitempty"`       // day, week (default) or month
	Periods     int    `json:"periods,omitempty"`      // columns after period 0 (default 12, at most 104)
	CohortTrait string `json:"cohort_trait,omitempty"`
}

// Validate checks the request and fills defaults.
func (r *RetentionRequest) Validate() error {
	if err := r.Scope.Validate(); err != nil {
		return err
	}
	switch r.Period {
	case "":
		r.Period = PeriodWeek
	case PeriodDay, PeriodWeek, PeriodMonth:
	default:
		return FieldError("period", "must be day, week or month, not %q", r.Period)
	}
	if r.CohortTrait != "" && !pathSegment.MatchString(r.CohortTrait) {
		return FieldError("cohort_trait", "bad trait name %q", r.CohortTrait)
	}
	return defaultInt(&r.Periods, "periods", 12, 1, 104)
}

// RetentionResponse is the cohort grid.
type RetentionResponse struct {
	Period  string            `json:"period"`
	Periods int               `json:"periods"`
	Cohorts []RetentionCohort `json:"cohorts"`
	// Total adds every cohort up; a cohort counts in period k only once
	// period k has begun for it.
	Total RetentionCohort `json:"total"`
}

// RetentionCohort is one row of the grid: Returned[k] customers of Size
// came back in period k, Rates[k] = Returned[k] / Size. Periods that have
// not happened yet are left out.
type RetentionCohort struct {
	Cohort   string    `json:"cohort"`
	Size     int64     `json:"size"`
	Returned []int64   `json:"returned"`
	Rates    []float64 `json:"rates"`
}

// JourneyMapRequest asks for the journey map discovered from the events.
type JourneyMapRequest struct {
	Scope
	// Stages maps activities to stages (awareness, purchase, support…);
	// when given, the map is drawn between stages, activities without a
	// stage are left out, and repeated steps inside a stage fold into one.
	Stages map[string]string `json:"stages,omitempty"`
	// Exclude leaves activities out of the map.
	Exclude []string `json:"exclude,omitempty"`
	// TopVariants keeps only the customers whose whole path is one of the
	// N most common (0 keeps everyone).
	TopVariants int `json:"top_variants,omitempty"`
	// Variants is how many of the most common paths to list (default 10,
	// at most 100).
	Variants int `json:"variants,omitempty"`
	// Designed is the journey the team designed; the answer then says how
	// the customers' real paths conform to it.
	Designed *DesignedJourney `json:"designed,omitempty"`
}

// DesignedJourney is a designed map: the transitions a customer is meant
// to take.
type DesignedJourney struct {
	Edges []DesignedEdge `json:"edges"`
}

// DesignedEdge is one designed transition.
type DesignedEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Validate checks the request and fills defaults.
func (r *JourneyMapRequest) Validate() error {
	if err := r.Scope.Validate(); err != nil {
		return err
	}
	for k, v := range r.Stages {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return FieldError("stages", "activities and stages must not be empty")
		}
	}
	if r.TopVariants < 0 || r.TopVariants > 10000 {
		return FieldError("top_variants", "must be from 0 to 10000")
	}
	if err := defaultInt(&r.Variants, "variants", 10, 1, 100); err != nil {
		return err
	}
	if r.Designed != nil {
		if len(r.Designed.Edges) == 0 {
			return FieldError("designed.edges", "at least one edge is required")
		}
		for i, e := range r.Designed.Edges {
			if e.From == "" || e.To == "" {
				return FieldError(fmt.Sprintf("designed.edges[%d]", i), "from and to are required")
			}
		}
	}
	return nil
}

// JourneyMap is a directly-follows graph of the customers' activities.
type JourneyMap struct {
	Profiles int64            `json:"profiles"`
	Events   int64            `json:"events"`
	Nodes    []JourneyNode    `json:"nodes"`
	Edges    []JourneyEdge    `json:"edges"`
	Variants []JourneyVariant `json:"variants"`
	// Conformance compares the map with the designed journey, when given.
	Conformance *Conformance `json:"conformance,omitempty"`
}

// JourneyNode is one activity (or stage) of the map.
type JourneyNode struct {
	ID string `json:"id"`
	// Count is how many times it happened; Profiles how many customers did it.
	Count    int64 `json:"count"`
	Profiles int64 `json:"profiles"`
	// Starts is how many customers began their path here, Exits how many
	// ended it here (drop-off), DropOff = Exits / Profiles.
	Starts  int64   `json:"starts"`
	Exits   int64   `json:"exits"`
	DropOff float64 `json:"drop_off"`
	// RepeatProfiles is how many customers did it more than once (rework:
	// coming back to support, a payment failing again); Rework counts the
	// occurrences beyond each customer's first.
	RepeatProfiles int64 `json:"repeat_profiles"`
	Rework         int64 `json:"rework"`
	// CX holds the survey answers and the feedback given right after this
	// touchpoint.
	CX *NodeCX `json:"cx,omitempty"`
}

// NodeCX sums up the survey answers and feedback attributed to a
// touchpoint: each answer, ticket or review goes to the customer's last
// activity before it (other feedback, survey delivery and Touchpoint's own
// messages aside), on the profile the customer is now.
type NodeCX struct {
	Responses int64 `json:"responses"`
	// NPS is % promoters (9–10) minus % detractors (0–6), from -100 to 100.
	NPS          *float64 `json:"nps,omitempty"`
	NPSResponses int64    `json:"nps_responses"`
	// CSAT is the share of satisfied answers (4–5 of 5), from 0 to 100.
	CSAT          *float64 `json:"csat,omitempty"`
	CSATResponses int64    `json:"csat_responses"`
	// CES is the mean effort score on the survey's scale (1–7, 7 easiest).
	CES          *float64 `json:"ces,omitempty"`
	CESResponses int64    `json:"ces_responses"`
	// Score is every answer scaled to 0–100, averaged: one colour for the map.
	Score *float64 `json:"score,omitempty"`
	// Sentiment is what the text of the feedback given here says: survey
	// comments, tickets and reviews, as the text models read them.
	Sentiment *NodeSentiment `json:"sentiment,omitempty"`
}

// NodeSentiment sums up the sentiment of the feedback items with text
// attributed to one touchpoint.
type NodeSentiment struct {
	// Items is how many feedback items with text were given here.
	Items int64 `json:"items"`
	// Average is their mean sentiment score, from -1 (negative) to 1.
	Average  float64 `json:"average"`
	Positive int64   `json:"positive"`
	Neutral  int64   `json:"neutral"`
	Negative int64   `json:"negative"`
	// Topics are the topics those items mention, most mentioned first (at
	// most five), each with how many of its items were negative.
	Topics []NodeTopic `json:"topics"`
}

// NodeTopic is a topic of the feedback given at a touchpoint.
type NodeTopic struct {
	Topic    string `json:"topic"`
	Items    int64  `json:"items"`
	Negative int64  `json:"negative"`
}

// JourneyEdge is one activity directly followed by another, for the same
// customer, in time order.
type JourneyEdge struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Count    int64  `json:"count"`
	Profiles int64  `json:"profiles"`
	// MedianSeconds and P90Seconds are the time between the two.
	MedianSeconds float64 `json:"median_seconds"`
	P90Seconds    float64 `json:"p90_seconds"`
	// Loop is set for an activity followed by itself.
	Loop bool `json:"loop,omitempty"`
}

// JourneyVariant is one complete path and how many customers took it.
type JourneyVariant struct {
	Activities []string `json:"activities"`
	Profiles   int64    `json:"profiles"`
	Share      float64  `json:"share"`
}

// Conformance compares customers' paths with a designed journey.
type Conformance struct {
	// Fitness is the share of transitions between designed activities that
	// the design has.
	Fitness float64 `json:"fitness"`
	// ConformingProfiles took no transition the design lacks (among
	// designed activities).
	ConformingProfiles int64 `json:"conforming_profiles"`
	// Designed lists every designed edge with how often it was taken.
	Designed []JourneyEdgeCount `json:"designed"`
	// Undesigned lists the transitions customers took that the design lacks.
	Undesigned []JourneyEdgeCount `json:"undesigned"`
	// Skipped lists designed activities with how many customers who entered
	// the designed journey never did them.
	Skipped []ActivityCount `json:"skipped"`
}

// JourneyEdgeCount is a transition and how often it was taken.
type JourneyEdgeCount struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Count    int64  `json:"count"`
	Profiles int64  `json:"profiles"`
}

// ActivityCount is an activity and a number of customers.
type ActivityCount struct {
	Activity string `json:"activity"`
	Profiles int64  `json:"profiles"`
}

// Driver outcomes.
const (
	OutcomeNPS   = "nps"
	OutcomeCSAT  = "csat"
	OutcomeCES   = "ces"
	OutcomeChurn = "churn"
	// OutcomeSentiment is the sentiment score (-1 to 1) of feedback with
	// text: survey comments, tickets and reviews.
	OutcomeSentiment = "sentiment"
)

// DriversRequest asks what explains a CX score, feedback sentiment or churn.
type DriversRequest struct {
	Scope
	// Outcome is nps, csat, ces (survey scores), sentiment or churn.
	Outcome string `json:"outcome"`
	// LookbackDays is how far before each answer its touchpoints (and the
	// topics of the customer's feedback) are looked for (default 30).
	LookbackDays int `json:"lookback_days,omitempty"`
	// HorizonDays is the churn horizon (churn only; default 30).
	HorizonDays int `json:"horizon_days,omitempty"`
}

// Validate checks the request and fills defaults.
func (r *DriversRequest) Validate() error {
	if err := r.Scope.Validate(); err != nil {
		return err
	}
	switch r.Outcome {
	case OutcomeNPS, OutcomeCSAT, OutcomeCES, OutcomeSentiment, OutcomeChurn:
	case "":
		return FieldError("outcome", "required: nps, csat, ces, sentiment or churn")
	default:
		return FieldError("outcome", "must be nps, csat, ces, sentiment or churn, not %q", r.Outcome)
	}
	if err := defaultInt(&r.LookbackDays, "lookback_days", 30, 1, 365); err != nil {
		return err
	}
	return defaultInt(&r.HorizonDays, "horizon_days", 30, 1, 365)
}

// DriversResponse ranks the factors that move the outcome.
type DriversResponse struct {
	Outcome string `json:"outcome"`
	// Samples is how many answers (feedback items for sentiment, customers for
	// churn) the model saw.
	Samples int `json:"samples"`
	// Mean is the outcome's average (churn: the churn rate).
	Mean float64 `json:"mean"`
	// Fit is R² for scores, held-out AUC for churn.
	Fit     float64  `json:"fit"`
	Drivers []Driver `json:"drivers"`
}

// Driver is one factor and its effect on the outcome, holding the others
// fixed.
type Driver struct {
	// Factor names it: "touchpoint:Delivery Delayed", "right after:Order
	// Delivered", "channel:call_center", "topic:delivery" (the customer's
	// feedback mentioned it), "kind:ticket" (sentiment only),
	// "trait:plan=pro", or a churn feature.
	Factor string `json:"factor"`
	// Effect is in score points for survey outcomes (what the factor adds
	// to or takes from the answer), in sentiment points (of the -1 to 1
	// scale) for sentiment, and the change in log-odds of churning per
	// standard deviation for churn. Low and High bound it at 95%.
	Effect float64 `json:"effect"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	// Significant is set when the interval excludes zero.
	Significant bool `json:"significant"`
	// Prevalence is the share of samples where the factor is present (its
	// mean, for a numeric feature).
	Prevalence float64 `json:"prevalence"`
}

// ChurnRequest asks for the churn model.
type ChurnRequest struct {
	Scope
	// HorizonDays: a customer has churned when they do nothing for this long
	// (default 30).
	HorizonDays int `json:"horizon_days,omitempty"`
	// Top is how many of the customers most at risk to list (default 20).
	Top int `json:"top,omitempty"`
	// Now is when the model stands (default: the latest event).
	Now *time.Time `json:"now,omitempty"`
}

// Validate checks the request and fills defaults.
func (r *ChurnRequest) Validate() error {
	if err := r.Scope.Validate(); err != nil {
		return err
	}
	if err := defaultInt(&r.HorizonDays, "horizon_days", 30, 1, 365); err != nil {
		return err
	}
	return defaultInt(&r.Top, "top", 20, 1, 1000)
}

// ChurnResponse describes the trained churn model.
type ChurnResponse struct {
	HorizonDays int       `json:"horizon_days"`
	Cutoff      time.Time `json:"cutoff"`
	// Trained and HeldOut count the customers the model learned from and
	// was checked on; AUC is measured on the held-out ones only.
	Trained   int      `json:"trained"`
	HeldOut   int      `json:"held_out"`
	AUC       float64  `json:"auc"`
	ChurnRate float64  `json:"churn_rate"`
	Drivers   []Driver `json:"drivers"`
	// AtRisk lists active customers most likely to churn next.
	AtRisk []ProfileScores `json:"at_risk"`
}

// CLVRequest asks for customer lifetime value.
type CLVRequest struct {
	Scope
	// OrderEvent is the purchase activity (default "Order Completed") and
	// RevenueProperty its value (default "revenue").
	OrderEvent      string `json:"order_event,omitempty"`
	RevenueProperty string `json:"revenue_property,omitempty"`
	// HorizonDays is how far ahead value is predicted (default 365).
	HorizonDays int        `json:"horizon_days,omitempty"`
	Top         int        `json:"top,omitempty"`
	Now         *time.Time `json:"now,omitempty"`
}

// Validate checks the request and fills defaults.
func (r *CLVRequest) Validate() error {
	if err := r.Scope.Validate(); err != nil {
		return err
	}
	if r.OrderEvent == "" {
		r.OrderEvent = "Order Completed"
	}
	if r.RevenueProperty == "" {
		r.RevenueProperty = "revenue"
	} else if !pathSegment.MatchString(r.RevenueProperty) {
		return FieldError("revenue_property", "bad property name %q", r.RevenueProperty)
	}
	if err := defaultInt(&r.HorizonDays, "horizon_days", 365, 1, 3650); err != nil {
		return err
	}
	return defaultInt(&r.Top, "top", 20, 1, 1000)
}

// CLVResponse describes lifetime value: what customers spent so far and
// what the BG/NBD and Gamma-Gamma models expect them to spend.
type CLVResponse struct {
	HorizonDays int `json:"horizon_days"`
	Customers   int `json:"customers"`
	// Buyers made at least one order.
	Buyers       int     `json:"buyers"`
	Revenue      float64 `json:"revenue"`
	AvgRevenue   float64 `json:"avg_revenue"`
	AvgOrders    float64 `json:"avg_orders"`
	PredictedAvg float64 `json:"predicted_avg"`
	// Model holds the fitted parameters.
	Model CLVModel `json:"model"`
	// Top lists the customers with the highest predicted value.
	Top []ProfileScores `json:"top"`
}

// CLVModel holds the fitted BG/NBD (r, alpha, a, b; time in days) and
// Gamma-Gamma (p, q, gamma) parameters.
type CLVModel struct {
	R     float64 `json:"r"`
	Alpha float64 `json:"alpha"`
	A     float64 `json:"a"`
	B     float64 `json:"b"`
	P     float64 `json:"p"`
	Q     float64 `json:"q"`
	Gamma float64 `json:"gamma"`
	// Spend is false when too few customers bought twice to fit the spend
	// model; predicted value then uses each customer's average order.
	Spend bool `json:"spend_model"`
}

// ProfileScores are a customer's computed scores, stored by RefreshScores
// so that profiles, segments and journeys can read them as traits.
type ProfileScores struct {
	ProfileID string `json:"profile_id"`
	// ChurnRisk is the probability of doing nothing in the churn horizon.
	ChurnRisk *float64 `json:"churn_risk,omitempty"`
	// Orders and Revenue are what the customer did so far (descriptive CLV).
	Orders  int64   `json:"orders"`
	Revenue float64 `json:"revenue"`
	// PAlive, ExpectedOrders and PredictedCLV come from BG/NBD and
	// Gamma-Gamma over the CLV horizon.
	PAlive         *float64  `json:"p_alive,omitempty"`
	ExpectedOrders *float64  `json:"expected_orders,omitempty"`
	PredictedCLV   *float64  `json:"predicted_clv,omitempty"`
	ComputedAt     time.Time `json:"computed_at"`
}

// ScoresRefresh reports a refresh of the stored scores.
type ScoresRefresh struct {
	Profiles   int       `json:"profiles"`
	ChurnAUC   float64   `json:"churn_auc"`
	ComputedAt time.Time `json:"computed_at"`
	// Skipped says why a model was not trained (too little history).
	Skipped []string `json:"skipped,omitempty"`
}
