package touchpoint

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// A journey is a workflow a customer walks through: an entry that enrols
// them, then nodes (waits, branches, splits, actions) joined by their
// outputs, a goal that counts as success and exits that end it early.
//
// A journey is edited as a draft. Publishing freezes the draft into an
// immutable, numbered version; new customers enter the newest version while
// customers already inside an older one finish it.
//
// The definition is one JSON (or YAML) document that a canvas builder reads
// and writes as it is: every node has an id, a type, an optional position
// on the canvas, and names the nodes its outputs lead to (Next, TimeoutNext,
// Branches[].Next, Else, Arms[].Next). Edges lists those links for drawing.

// Journey statuses.
const (
	JourneyDraft   = "draft"   // never published
	JourneyLive    = "live"    // published and enrolling
	JourneyStopped = "stopped" // enrols no one; customers inside leave at their next step
)

// Journey is a journey with its current draft.
type Journey struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	Status    string `json:"status"`
	// ActiveVersion is the published version new customers enter; 0 if the
	// journey was never published.
	ActiveVersion int               `json:"active_version"`
	Draft         JourneyDefinition `json:"draft"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	UpdatedBy     string            `json:"updated_by"`
}

// JourneyVersion is a published, immutable definition.
type JourneyVersion struct {
	Workspace   string            `json:"workspace"`
	JourneyID   string            `json:"journey_id"`
	Version     int               `json:"version"`
	Definition  JourneyDefinition `json:"definition"`
	PublishedAt time.Time         `json:"published_at"`
	PublishedBy string            `json:"published_by"`
}

// JourneyDefinition is what a journey does.
type JourneyDefinition struct {
	Name        string        `json:"name"`
	Description string        `json:"description,omitempty"`
	Entry       JourneyEntry  `json:"entry"`
	Nodes       []JourneyStep `json:"nodes"`
	// Goal, when set, ends the journey for a customer as a conversion.
	Goal *JourneyGoal `json:"goal,omitempty"`
	// Exits end the journey for a customer when one of these events happens.
	Exits []JourneyTrigger `json:"exits,omitempty"`
}

// Entry types.
const (
	EntryEvent          = "event"           // an event, with conditions on it
	EntrySegmentEntered = "segment_entered" // the segment.entered event of a segment
	EntrySegmentExited  = "segment_exited"  // the segment.exited event of a segment
	EntryFeedback       = "feedback"        // a Survey Responded answer, e.g. NPS <= 6
	EntryDate           = "date"            // a date trait, e.g. birthday or renewal date minus 30 days
	EntryAPI            = "api"             // POST /api/v1/journeys/{id}/enrol
)

// Re-entry policies.
const (
	ReentryNever     = "never"      // a customer enters once (the default)
	ReentryAfterExit = "after_exit" // again once their previous run has ended
	ReentryAlways    = "always"     // again on every trigger, even while inside
)

// JourneyEntry says who enters and how often.
type JourneyEntry struct {
	Type string `json:"type"`
	// Event and Conditions: the triggering event and a boolean expression
	// over it (type event).
	Event      string `json:"event,omitempty"`
	Conditions string `json:"conditions,omitempty"`
	// SegmentID (types segment_entered, segment_exited).
	SegmentID string `json:"segment_id,omitempty"`
	// Feedback: the survey type or survey, and the score range (inclusive).
	SurveyType string   `json:"survey_type,omitempty"`
	SurveyID   string   `json:"survey_id,omitempty"`
	ScoreMin   *float64 `json:"score_min,omitempty"`
	ScoreMax   *float64 `json:"score_max,omitempty"`
	// Date: the trait holding a date (YYYY-MM-DD or RFC 3339), the offset
	// from it (-30d enters 30 days before), whether it repeats every year
	// (birthdays), and the local time of day to enter at.
	Trait     string   `json:"trait,omitempty"`
	Offset    Duration `json:"offset,omitempty"`
	Annual    bool     `json:"annual,omitempty"`
	TimeOfDay string   `json:"time_of_day,omitempty"`
	// Reentry is never (default), after_exit or always; ReentryAfter is the
	// least time between two entries of one customer.
	Reentry      string   `json:"reentry,omitempty"`
	ReentryAfter Duration `json:"reentry_after,omitempty"`
	// MaxEntries caps how many times one customer enters (0: no cap).
	MaxEntries int       `json:"max_entries,omitempty"`
	Next       string    `json:"next"`
	Position   *Position `json:"position,omitempty"`
}

// Trigger returns the event trigger an entry listens for, or false for
// entries that are not event-driven (date, api).
func (e JourneyEntry) Trigger() (JourneyTrigger, bool) {
	switch e.Type {
	case EntryEvent:
		return JourneyTrigger{Event: e.Event, Conditions: e.Conditions}, true
	case EntrySegmentEntered, EntrySegmentExited:
		name := "segment.entered"
		if e.Type == EntrySegmentExited {
			name = "segment.exited"
		}
		return JourneyTrigger{Event: name, Conditions: "event.properties.segment_id == " + strconv.Quote(e.SegmentID)}, true
	case EntryFeedback:
		var conds []string
		if e.SurveyType != "" {
			conds = append(conds, "event.properties.survey_type == "+strconv.Quote(e.SurveyType))
		}
		if e.SurveyID != "" {
			conds = append(conds, "event.properties.survey_id == "+strconv.Quote(e.SurveyID))
		}
		if e.ScoreMin != nil {
			conds = append(conds, fmt.Sprintf("(event.properties.score ?? -1e308) >= %v", *e.ScoreMin))
		}
		if e.ScoreMax != nil {
			conds = append(conds, fmt.Sprintf("(event.properties.score ?? 1e308) <= %v", *e.ScoreMax))
		}
		if e.Conditions != "" {
			conds = append(conds, "("+e.Conditions+")")
		}
		return JourneyTrigger{Event: "Survey Responded", Conditions: strings.Join(conds, " && ")}, true
	}
	return JourneyTrigger{}, false
}

// JourneyTrigger matches an event by name and a boolean expression.
type JourneyTrigger struct {
	Event      string `json:"event"`
	Conditions string `json:"conditions,omitempty"`
}

// JourneyGoal is the conversion a journey aims for.
type JourneyGoal struct {
	Event      string `json:"event"`
	Conditions string `json:"conditions,omitempty"`
	// Within is how long after entry a conversion counts (default 30d). A
	// holdout customer is watched this long.
	Within Duration `json:"within,omitempty"`
	// Position is where the builder's canvas shows the goal.
	Position *Position `json:"position,omitempty"`
}

// DefaultGoalWindow is how long conversions count when a goal gives no window.
const DefaultGoalWindow = 30 * 24 * time.Hour

// Node types.
const (
	NodeWait        = "wait"         // a duration, a local time of day, or an event with a timeout
	NodeBranch      = "branch"       // the first branch whose expression holds, else Else
	NodeSplit       = "split"        // random A/B/n by weight; a holdout arm receives nothing
	NodeEmail       = "email"        // an email over SMTP
	NodeSMS         = "sms"          // an SMS through the HTTP gateway
	NodeWebhook     = "webhook"      // a signed POST to a URL
	NodeInApp       = "in_app"       // a message the web widget shows
	NodeSurvey      = "survey"       // send a survey link and wait for the answer
	NodeUpdateTrait = "update_trait" // set traits through an identify event
	NodeList        = "list"         // add to or remove from a list
	NodeExit        = "exit"         // end the journey here
)

// JourneyStep is one node of a journey. Which fields apply depends on Type; the others
// must be empty.
type JourneyStep struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	Name     string    `json:"name,omitempty"`
	Position *Position `json:"position,omitempty"`
	// Next is the node after this one; empty ends the journey.
	Next string `json:"next,omitempty"`

	// Wait: exactly one of Duration, TimeOfDay ("09:00" in the customer's
	// timezone) or Event (with Conditions, a Timeout and TimeoutNext).
	Duration    Duration `json:"duration,omitempty"`
	TimeOfDay   string   `json:"time_of_day,omitempty"`
	Event       string   `json:"event,omitempty"`
	Conditions  string   `json:"conditions,omitempty"`
	Timeout     Duration `json:"timeout,omitempty"`
	TimeoutNext string   `json:"timeout_next,omitempty"`

	// Branch.
	Branches []JourneyBranch `json:"branches,omitempty"`
	Else     string          `json:"else,omitempty"`

	// Split.
	Arms []JourneyArm `json:"arms,omitempty"`

	// Email, SMS, in-app, survey: the content, as Go templates.
	Message *MessageContent `json:"message,omitempty"`
	// Webhook: the URL and an optional body template (default: a JSON
	// document with the journey, the profile and the trigger event).
	URL  string `json:"url,omitempty"`
	Body string `json:"body,omitempty"`
	// Survey: the survey and the channel its link goes out on (email, sms
	// or in_app); Timeout and TimeoutNext apply.
	SurveyID string `json:"survey_id,omitempty"`
	Channel  string `json:"channel,omitempty"`
	// Update trait: trait name to expression.
	Traits map[string]string `json:"traits,omitempty"`
	// List: the list and add or remove.
	List string `json:"list,omitempty"`
	Op   string `json:"op,omitempty"`
}

// JourneyBranch is one output of a branch node.
type JourneyBranch struct {
	Name string `json:"name"`
	When string `json:"when"`
	Next string `json:"next,omitempty"`
}

// JourneyArm is one arm of a split.
type JourneyArm struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
	Next   string `json:"next,omitempty"`
	// Holdout arms receive nothing; their customers are only watched for
	// the goal, as the control group.
	Holdout bool `json:"holdout,omitempty"`
}

// MessageContent is what a message says. Every field is a Go template
// (text/template; HTML is html/template) over the personalisation data:
// .profile (traits, computed), .event (the trigger), .journey, and
// .unsubscribe_url and .survey_url where they apply.
type MessageContent struct {
	From    string `json:"from,omitempty"`
	Subject string `json:"subject,omitempty"`
	HTML    string `json:"html,omitempty"`
	// Text is the plain-text part of an email and the body of an SMS or an
	// in-app message. An email without it gets one made from HTML.
	Text  string `json:"text,omitempty"`
	Title string `json:"title,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Position is where a node sits on the builder's canvas.
type Position struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Edge is a link between two nodes, for drawing: From's output Port leads to To.
type Edge struct {
	From string `json:"from"`
	Port string `json:"port"`
	To   string `json:"to"`
}

// EntryNodeID names the entry on the canvas and in statistics.
const EntryNodeID = "entry"

// Ports a node's outputs are named by.
const (
	PortNext    = "next"
	PortTimeout = "timeout"
	PortElse    = "else"
)

// Edges lists every link of the definition, the entry's first.
func (d *JourneyDefinition) Edges() []Edge {
	var out []Edge
	add := func(from, port, to string) {
		if to != "" {
			out = append(out, Edge{From: from, Port: port, To: to})
		}
	}
	add(EntryNodeID, PortNext, d.Entry.Next)
	for _, n := range d.Nodes {
		add(n.ID, PortNext, n.Next)
		add(n.ID, PortTimeout, n.TimeoutNext)
		for _, b := range n.Branches {
			add(n.ID, b.Name, b.Next)
		}
		add(n.ID, PortElse, n.Else)
		for _, a := range n.Arms {
			add(n.ID, a.Name, a.Next)
		}
	}
	return out
}

// Node returns the node with id, or nil.
func (d *JourneyDefinition) Node(id string) *JourneyStep {
	for i := range d.Nodes {
		if d.Nodes[i].ID == id {
			return &d.Nodes[i]
		}
	}
	return nil
}

// IsMessage reports whether a node type sends something to the customer.
func IsMessage(nodeType string) bool {
	switch nodeType {
	case NodeEmail, NodeSMS, NodeInApp, NodeSurvey, NodeWebhook:
		return true
	}
	return false
}

var (
	journeyIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	nodeIDPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$`)
	timeOfDayPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	traitKeyPattern  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,127}$`)
)

// ValidateJourneyID names a bad journey id.
func ValidateJourneyID(id string) error {
	if !journeyIDPattern.MatchString(id) {
		return FieldError("id", "must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit (e.g. winback-detractors)")
	}
	return nil
}

// URLChecker checks an outbound URL when a journey is saved. It returns
// EINVALID naming why the URL may not be called.
type URLChecker func(ctx context.Context, workspace, rawURL string) error

// Validate checks a definition: every field, every link, every expression
// and template. The error names the field (e.g. "nodes[2].branches[0].when")
// and, in its message, the node. check, if not nil, vets webhook URLs.
func (d *JourneyDefinition) Validate(ctx context.Context, workspace string, check URLChecker) error {
	if strings.TrimSpace(d.Name) == "" {
		return FieldError("name", "required")
	} else if len(d.Name) > 200 {
		return FieldError("name", "must be at most 200 characters")
	}
	ids := map[string]int{}
	for i, n := range d.Nodes {
		f := fmt.Sprintf("nodes[%d].id", i)
		if !nodeIDPattern.MatchString(n.ID) {
			return FieldError(f, "node id %q must be 1-63 letters, digits, '-' or '_'", n.ID)
		}
		if n.ID == EntryNodeID {
			return FieldError(f, "%q is reserved for the entry", EntryNodeID)
		}
		if _, dup := ids[n.ID]; dup {
			return FieldError(f, "node id %q is used twice", n.ID)
		}
		ids[n.ID] = i
	}
	if len(d.Nodes) > 500 {
		return FieldError("nodes", "at most 500 nodes")
	}
	link := func(field, node, to string) error {
		if to == "" {
			return nil
		}
		if _, ok := ids[to]; !ok {
			return FieldError(field, "node %q leads to %q, which is not a node", node, to)
		}
		return nil
	}
	if err := d.Entry.validate(); err != nil {
		return err
	}
	if d.Entry.Next == "" {
		return FieldError("entry.next", "required: the first node")
	}
	if err := link("entry.next", EntryNodeID, d.Entry.Next); err != nil {
		return err
	}
	for i := range d.Nodes {
		if err := d.Nodes[i].validate(ctx, fmt.Sprintf("nodes[%d]", i), workspace, check, link); err != nil {
			return err
		}
	}
	if d.Goal != nil {
		if strings.TrimSpace(d.Goal.Event) == "" {
			return FieldError("goal.event", "required: the conversion event")
		}
		if err := CheckCondition("goal.conditions", "goal", d.Goal.Conditions); err != nil {
			return err
		}
		if d.Goal.Within < 0 {
			return FieldError("goal.within", "must not be negative")
		}
	}
	for i, x := range d.Exits {
		if strings.TrimSpace(x.Event) == "" {
			return FieldError(fmt.Sprintf("exits[%d].event", i), "required")
		}
		if err := CheckCondition(fmt.Sprintf("exits[%d].conditions", i), "exit", x.Conditions); err != nil {
			return err
		}
	}
	return d.checkLoops(ids)
}

// checkLoops rejects a cycle that passes through no wait: a customer would
// go round it forever within one instant.
func (d *JourneyDefinition) checkLoops(ids map[string]int) error {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(d.Nodes))
	var visit func(i int) error
	visit = func(i int) error {
		n := &d.Nodes[i]
		if n.Type == NodeWait || n.Type == NodeSurvey {
			return nil // time passes here, so a loop through it is allowed
		}
		color[i] = grey
		for _, to := range n.outputs() {
			j, ok := ids[to]
			if !ok {
				continue
			}
			switch color[j] {
			case grey:
				return FieldError(fmt.Sprintf("nodes[%d]", i), "node %q leads back to %q without a wait in between", n.ID, to)
			case white:
				if err := visit(j); err != nil {
					return err
				}
			}
		}
		color[i] = black
		return nil
	}
	for i := range d.Nodes {
		if color[i] == white {
			if err := visit(i); err != nil {
				return err
			}
		}
	}
	return nil
}

func (n *JourneyStep) outputs() []string {
	out := []string{n.Next, n.TimeoutNext, n.Else}
	for _, b := range n.Branches {
		out = append(out, b.Next)
	}
	for _, a := range n.Arms {
		out = append(out, a.Next)
	}
	return out
}

func (e *JourneyEntry) validate() error {
	switch e.Type {
	case EntryEvent:
		if strings.TrimSpace(e.Event) == "" {
			return FieldError("entry.event", "required for an event entry")
		}
	case EntrySegmentEntered, EntrySegmentExited:
		if e.SegmentID == "" {
			return FieldError("entry.segment_id", "required for a %s entry", e.Type)
		}
	case EntryFeedback:
		if e.SurveyType == "" && e.SurveyID == "" && e.ScoreMin == nil && e.ScoreMax == nil && e.Conditions == "" {
			return FieldError("entry.survey_type", "a feedback entry needs survey_type, survey_id, score_min, score_max or conditions")
		}
	case EntryDate:
		if !traitKeyPattern.MatchString(e.Trait) {
			return FieldError("entry.trait", "required for a date entry: the trait holding the date (e.g. birthday)")
		}
		if e.TimeOfDay != "" && !timeOfDayPattern.MatchString(e.TimeOfDay) {
			return FieldError("entry.time_of_day", "must be HH:MM (24-hour), e.g. 09:00")
		}
	case EntryAPI:
	case "":
		return FieldError("entry.type", "required: event, segment_entered, segment_exited, feedback, date or api")
	default:
		return FieldError("entry.type", "unknown entry type %q (want event, segment_entered, segment_exited, feedback, date or api)", e.Type)
	}
	if e.Type != EntryEvent && e.Type != EntryFeedback && e.Conditions != "" {
		return FieldError("entry.conditions", "only event and feedback entries take conditions")
	}
	if t, ok := e.Trigger(); ok {
		if err := CheckCondition("entry.conditions", EntryNodeID, t.Conditions); err != nil {
			return err
		}
	}
	switch e.Reentry {
	case "", ReentryNever, ReentryAfterExit, ReentryAlways:
	default:
		return FieldError("entry.reentry", "must be never, after_exit or always")
	}
	if e.ReentryAfter < 0 {
		return FieldError("entry.reentry_after", "must not be negative")
	}
	if e.MaxEntries < 0 {
		return FieldError("entry.max_entries", "must not be negative")
	}
	return nil
}

func (n *JourneyStep) validate(ctx context.Context, f, workspace string, check URLChecker, link func(field, node, to string) error) error {
	bad := func(field, format string, args ...any) error {
		return FieldError(f+"."+field, "node %q: %s", n.ID, fmt.Sprintf(format, args...))
	}
	if err := link(f+".next", n.ID, n.Next); err != nil {
		return err
	}
	if err := link(f+".timeout_next", n.ID, n.TimeoutNext); err != nil {
		return err
	}
	if err := link(f+".else", n.ID, n.Else); err != nil {
		return err
	}
	// Fields that belong to other node types must be empty, so that a
	// typo or a changed type does not silently do nothing.
	allowed := map[string][]string{
		NodeWait:        {"duration", "time_of_day", "event", "conditions", "timeout", "timeout_next"},
		NodeBranch:      {"branches", "else"},
		NodeSplit:       {"arms"},
		NodeEmail:       {"message"},
		NodeSMS:         {"message"},
		NodeInApp:       {"message"},
		NodeWebhook:     {"url", "body"},
		NodeSurvey:      {"message", "survey_id", "channel", "timeout", "timeout_next"},
		NodeUpdateTrait: {"traits"},
		NodeList:        {"list", "op"},
		NodeExit:        {},
	}
	fields, ok := allowed[n.Type]
	if !ok {
		return bad("type", "unknown node type %q (want wait, branch, split, email, sms, webhook, in_app, survey, update_trait, list or exit)", n.Type)
	}
	set := map[string]bool{
		"duration": n.Duration != 0, "time_of_day": n.TimeOfDay != "", "event": n.Event != "", "conditions": n.Conditions != "",
		"timeout": n.Timeout != 0, "timeout_next": n.TimeoutNext != "", "branches": len(n.Branches) > 0, "else": n.Else != "",
		"arms": len(n.Arms) > 0, "message": n.Message != nil, "url": n.URL != "", "body": n.Body != "", "survey_id": n.SurveyID != "",
		"channel": n.Channel != "", "traits": len(n.Traits) > 0, "list": n.List != "", "op": n.Op != "",
	}
	for k, v := range set {
		if v && !slices.Contains(fields, k) {
			return bad(k, "a %s node has no %s", n.Type, k)
		}
	}
	if n.Type == NodeExit && n.Next != "" {
		return bad("next", "an exit node ends the journey and has no next")
	}
	if n.Type == NodeSplit || n.Type == NodeBranch {
		if n.Next != "" {
			return bad("next", "a %s node leads on through its %s, not next", n.Type, map[string]string{NodeSplit: "arms", NodeBranch: "branches and else"}[n.Type])
		}
	}
	switch n.Type {
	case NodeWait:
		kinds := 0
		for _, b := range []bool{n.Duration != 0, n.TimeOfDay != "", n.Event != ""} {
			if b {
				kinds++
			}
		}
		if kinds != 1 {
			return bad("duration", "a wait needs exactly one of duration, time_of_day or event")
		}
		if n.Duration < 0 {
			return bad("duration", "must be positive")
		}
		if n.TimeOfDay != "" && !timeOfDayPattern.MatchString(n.TimeOfDay) {
			return bad("time_of_day", "must be HH:MM (24-hour), e.g. 09:00")
		}
		if n.Event != "" {
			if n.Timeout <= 0 {
				return bad("timeout", "required when waiting for an event: how long to wait before taking timeout_next")
			}
			if err := CheckCondition(f+".conditions", n.ID, n.Conditions); err != nil {
				return err
			}
		} else if n.Conditions != "" || n.Timeout != 0 || n.TimeoutNext != "" {
			return bad("timeout", "conditions, timeout and timeout_next apply only when waiting for an event")
		}
	case NodeBranch:
		if len(n.Branches) == 0 {
			return bad("branches", "required: at least one branch")
		}
		names := map[string]bool{PortElse: true}
		for i, b := range n.Branches {
			bf := fmt.Sprintf("%s.branches[%d]", f, i)
			if !nodeIDPattern.MatchString(b.Name) || names[b.Name] {
				return FieldError(bf+".name", "node %q: branch name %q must be unique letters, digits, '-' or '_' (not else)", n.ID, b.Name)
			}
			names[b.Name] = true
			if strings.TrimSpace(b.When) == "" {
				return FieldError(bf+".when", "node %q: branch %q needs an expression", n.ID, b.Name)
			}
			if err := CheckCondition(bf+".when", n.ID, b.When); err != nil {
				return err
			}
			if err := link(bf+".next", n.ID, b.Next); err != nil {
				return err
			}
		}
	case NodeSplit:
		if len(n.Arms) < 2 {
			return bad("arms", "a split needs at least two arms")
		}
		names := map[string]bool{}
		total := 0
		for i, a := range n.Arms {
			af := fmt.Sprintf("%s.arms[%d]", f, i)
			if !nodeIDPattern.MatchString(a.Name) || names[a.Name] {
				return FieldError(af+".name", "node %q: arm name %q must be unique letters, digits, '-' or '_'", n.ID, a.Name)
			}
			names[a.Name] = true
			if a.Weight <= 0 || a.Weight > 10000 {
				return FieldError(af+".weight", "node %q: arm %q needs a weight from 1 to 10000", n.ID, a.Name)
			}
			total += a.Weight
			if a.Holdout && a.Next != "" {
				return FieldError(af+".next", "node %q: holdout arm %q receives nothing and has no next", n.ID, a.Name)
			}
			if err := link(af+".next", n.ID, a.Next); err != nil {
				return err
			}
		}
	case NodeEmail, NodeSMS, NodeInApp:
		if n.Message == nil {
			return bad("message", "required")
		}
		if err := n.Message.validate(f+".message", n.ID, n.Type); err != nil {
			return err
		}
	case NodeSurvey:
		if n.SurveyID == "" {
			return bad("survey_id", "required: the survey to send")
		}
		switch n.Channel {
		case ChannelEmail, ChannelSMS, "in_app":
		default:
			return bad("channel", "must be email, sms or in_app")
		}
		if n.Timeout <= 0 {
			return bad("timeout", "required: how long to wait for the answer")
		}
		if n.Message == nil {
			return bad("message", "required: the message carrying {{.survey_url}}")
		}
		if err := n.Message.validate(f+".message", n.ID, map[string]string{ChannelEmail: NodeEmail, ChannelSMS: NodeSMS, "in_app": NodeInApp}[n.Channel]); err != nil {
			return err
		}
	case NodeWebhook:
		if n.URL == "" {
			return bad("url", "required")
		}
		if check != nil {
			if err := check(ctx, workspace, n.URL); err != nil {
				return bad("url", "%s", ErrorMessage(err))
			}
		}
		if err := checkTemplate(f+".body", n.ID, n.Body, false); err != nil {
			return err
		}
	case NodeUpdateTrait:
		if len(n.Traits) == 0 {
			return bad("traits", "required: trait names and the expressions that set them")
		}
		for k, v := range n.Traits {
			if !traitKeyPattern.MatchString(k) {
				return bad("traits", "%q is not a trait name", k)
			}
			if _, err := CompileExpression(v, false); err != nil {
				return FieldError(f+".traits."+k, "node %q: %s", n.ID, err.Error())
			}
		}
	case NodeList:
		if !nodeIDPattern.MatchString(n.List) {
			return bad("list", "required: a list name of letters, digits, '-' or '_'")
		}
		if n.Op != "add" && n.Op != "remove" {
			return bad("op", "must be add or remove")
		}
	}
	return nil
}

func (m *MessageContent) validate(f, node, nodeType string) error {
	switch nodeType {
	case NodeEmail:
		if m.Subject == "" {
			return FieldError(f+".subject", "node %q: an email needs a subject", node)
		}
		if m.HTML == "" && m.Text == "" {
			return FieldError(f+".html", "node %q: an email needs html or text", node)
		}
		if m.From != "" && !strings.Contains(m.From, "@") {
			return FieldError(f+".from", "node %q: %q is not an email address", node, m.From)
		}
	case NodeSMS:
		if m.Text == "" {
			return FieldError(f+".text", "node %q: an SMS needs text", node)
		}
	case NodeInApp:
		if m.Text == "" && m.Title == "" {
			return FieldError(f+".text", "node %q: an in-app message needs a title or text", node)
		}
	}
	for name, tpl := range map[string]string{"from": m.From, "subject": m.Subject, "text": m.Text, "title": m.Title, "url": m.URL} {
		if err := checkTemplate(f+"."+name, node, tpl, false); err != nil {
			return err
		}
	}
	return checkTemplate(f+".html", node, m.HTML, true)
}

// TemplateFuncs are the functions message templates may call.
var TemplateFuncs = template.FuncMap{
	"default": func(def, v any) any {
		if v == nil || v == "" {
			return def
		}
		return v
	},
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
}

func checkTemplate(field, node, text string, html bool) error {
	if text == "" {
		return nil
	}
	// html/template parses with the same grammar; escaping is decided when
	// it runs, so parsing as text catches every syntax error here.
	if _, err := template.New(field).Funcs(TemplateFuncs).Option("missingkey=zero").Parse(text); err != nil {
		return FieldError(field, "node %q: template: %s", node, strings.TrimPrefix(err.Error(), "template: "+field+":"))
	}
	return nil
}

// CheckCondition compiles a boolean expression, naming field and node in
// its error. An empty expression is always true.
func CheckCondition(field, node, src string) error {
	if strings.TrimSpace(src) == "" {
		return nil
	}
	if _, err := CompileExpression(src, true); err != nil {
		return FieldError(field, "node %q: %s", node, err.Error())
	}
	return nil
}

// ExpressionEnv is the shape of what expressions see, for compiling:
//
//	profile.id, profile.traits.<name>, profile.computed.<name> (orders, revenue, last_nps, events, …)
//	event.name, event.type, event.channel, event.properties.<name>, event.traits.<name>, event.context.<name>
//	journey.id, journey.version, journey.arm, journey.entered_at
//	now (the current time)
//
// Missing values are nil; use `?? default` to compare them safely.
func ExpressionEnv() map[string]any {
	return map[string]any{
		"profile": map[string]any{},
		"event":   map[string]any{},
		"journey": map[string]any{},
		"now":     time.Time{},
	}
}

// CompileExpression compiles an expression (expr-lang syntax) against
// ExpressionEnv; boolean says it must yield a bool.
func CompileExpression(src string, boolean bool) (*vm.Program, error) {
	opts := []expr.Option{expr.Env(ExpressionEnv()), expr.MaxNodes(2000)}
	if boolean {
		opts = append(opts, expr.AsBool())
	}
	p, err := expr.Compile(src, opts...)
	if err != nil {
		// expr's messages span lines with a caret under the fault; the
		// first line says what is wrong and where.
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return nil, fmt.Errorf("expression %q: %s", truncate(src, 120), msg)
	}
	return p, nil
}

// Duration is a length of time written as Go durations are ("36h",
// "90m") or with days and weeks ("2d", "1w", "-30d").
type Duration time.Duration

// ParseDuration reads a Duration.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	var total time.Duration
	// Days and weeks come first (e.g. "1w2d12h"); the rest is Go syntax.
	for {
		i := 0
		for i < len(body) && body[i] >= '0' && body[i] <= '9' {
			i++
		}
		if i == 0 || i >= len(body) || (body[i] != 'd' && body[i] != 'w') {
			break
		}
		n, err := strconv.Atoi(body[:i])
		if err != nil || n > 100000 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		unit := 24 * time.Hour
		if body[i] == 'w' {
			unit *= 7
		}
		total += time.Duration(n) * unit
		body = body[i+1:]
	}
	if body != "" {
		d, err := time.ParseDuration(body)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("invalid duration %q (e.g. 30m, 36h, 2d, 1w)", s)
		}
		total += d
	}
	if neg {
		total = -total
	}
	return Duration(total), nil
}

// String writes the duration the way it is read, in days when whole.
func (d Duration) String() string {
	td := time.Duration(d)
	if td == 0 {
		return "0s"
	}
	sign := ""
	if td < 0 {
		sign, td = "-", -td
	}
	day := 24 * time.Hour
	if td%day == 0 {
		if td%(7*day) == 0 {
			return fmt.Sprintf("%s%dw", sign, td/(7*day))
		}
		return fmt.Sprintf("%s%dd", sign, td/day)
	}
	return sign + td.String()
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a string ("2d") or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err2 := json.Unmarshal(b, &secs); err2 != nil {
			return fmt.Errorf("duration must be a string such as \"2d\" or a number of seconds")
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// IsZero lets omitempty/omitzero drop zero durations.
func (d Duration) IsZero() bool { return d == 0 }

// Enrolment statuses.
const (
	EnrolmentActive    = "active"
	EnrolmentCompleted = "completed" // reached the end of its path
	EnrolmentConverted = "converted" // reached the goal
	EnrolmentExited    = "exited"    // an exit condition, or the journey stopped
)

// Enrolment is one customer's run through one version of a journey.
type Enrolment struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	JourneyID string `json:"journey_id"`
	Version   int    `json:"version"`
	ProfileID string `json:"profile_id"`
	UserID    string `json:"user_id,omitempty"`
	Status    string `json:"status"`
	// NodeID is where the customer is: the node they wait at while active,
	// the last node when ended.
	NodeID string `json:"node_id"`
	// Step counts the nodes passed; with the enrolment id it keys every
	// action, so an action repeated after a crash is recognised.
	Step int `json:"step"`
	// WakeAt is when a time wait ends (nil when not waiting on time).
	WakeAt *time.Time `json:"wake_at,omitempty"`
	// WaitEvent is the event awaited at NodeID, if any.
	WaitEvent string `json:"wait_event,omitempty"`
	Arm       string `json:"arm,omitempty"`
	// Trigger is the entry event: name, properties, context.
	Trigger   json.RawMessage `json:"trigger,omitempty"`
	EnteredAt time.Time       `json:"entered_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	EndedAt   *time.Time      `json:"ended_at,omitempty"`
	EndReason string          `json:"end_reason,omitempty"`
}

// JourneyStats are per-node counts of one version and the goal's
// conversion by split arm.
type JourneyStats struct {
	JourneyID string                `json:"journey_id"`
	Version   int                   `json:"version"`
	Enrolled  int64                 `json:"enrolled"`
	Active    int64                 `json:"active"`
	Converted int64                 `json:"converted"`
	Nodes     map[string]*NodeStats `json:"nodes"`
	// Splits holds the goal conversion of each split node's arms.
	Splits map[string]*SplitStats `json:"splits,omitempty"`
}

// NodeStats counts what happened at one node.
type NodeStats struct {
	Entered int64 `json:"entered"`
	// Waiting is how many customers are at the node now.
	Waiting int64 `json:"waiting"`
	// Passed counts customers by the output they left through (next,
	// timeout, a branch name, an arm name).
	Passed    map[string]int64 `json:"passed"`
	Sent      int64            `json:"sent"`
	Delivered int64            `json:"delivered"`
	Failed    int64            `json:"failed"`
	Skipped   int64            `json:"skipped"`
	Converted int64            `json:"converted"`
}

// SplitStats compares each arm's goal conversion with the holdout's.
type SplitStats struct {
	// Test names the statistical test used.
	Test string      `json:"test"`
	Arms []*ArmStats `json:"arms"`
}

// ArmStats is one arm's conversion.
type ArmStats struct {
	Arm       string  `json:"arm"`
	Holdout   bool    `json:"holdout"`
	Entered   int64   `json:"entered"`
	Converted int64   `json:"converted"`
	Rate      float64 `json:"rate"`
	// Uplift is (rate - holdout rate) / holdout rate; nil without a
	// holdout or when the holdout never converted.
	Uplift *float64 `json:"uplift,omitempty"`
	// Z and PValue come from a two-sided two-proportion z-test against the
	// holdout; Significant means p < 0.05.
	Z           *float64 `json:"z,omitempty"`
	PValue      *float64 `json:"p_value,omitempty"`
	Significant bool     `json:"significant"`
}

// JourneyService keeps journeys and their versions.
type JourneyService interface {
	// SaveJourney creates a journey or replaces its draft. The caller has
	// validated the draft. Returns EINVALID for a bad id.
	SaveJourney(ctx context.Context, j *Journey) error

	// FindJourney returns a journey. Returns ENOTFOUND if there is none.
	FindJourney(ctx context.Context, workspace, id string) (*Journey, error)

	// ListJourneys returns the workspace's journeys by id.
	ListJourneys(ctx context.Context, workspace string) ([]*Journey, error)

	// PublishJourney freezes the draft as the next version and makes it the
	// one new customers enter. Returns ENOTFOUND if there is no journey.
	PublishJourney(ctx context.Context, workspace, id, by string) (*JourneyVersion, error)

	// StopJourney stops enrolling; customers inside leave at their next
	// step. Returns ENOTFOUND, or ECONFLICT if it was never published.
	StopJourney(ctx context.Context, workspace, id, by string) (*Journey, error)

	// FindJourneyVersion returns a published version. Returns ENOTFOUND.
	FindJourneyVersion(ctx context.Context, workspace, id string, version int) (*JourneyVersion, error)

	// JourneyStats returns the counts of one version. Returns ENOTFOUND.
	JourneyStats(ctx context.Context, workspace, id string, version int) (*JourneyStats, error)

	// FindEnrolments lists a journey's enrolments, newest first, or a
	// profile's when profileID is set.
	FindEnrolments(ctx context.Context, f EnrolmentFilter) ([]*Enrolment, error)

	// Lists returns the lists journeys have added customers to, by name,
	// with their sizes. A list whose members were all removed is gone.
	Lists(ctx context.Context, workspace string) ([]List, error)

	// ListMembers returns up to limit members of a list, by profile id,
	// after the profile id after. Returns EINVALID for a bad list name.
	ListMembers(ctx context.Context, workspace, list, after string, limit int) ([]ListMember, error)
}

// List is a named set of customers that journeys add to and remove from
// (a list node): a call-back list, a tag for a campaign.
type List struct {
	Name    string `json:"name"`
	Members int64  `json:"members"`
	// LastAdded is when the newest member joined.
	LastAdded time.Time `json:"last_added"`
}

// ListMember is one customer in a list.
type ListMember struct {
	ProfileID string    `json:"profile_id"`
	AddedAt   time.Time `json:"added_at"`
}

// ValidateListName checks a list name as list nodes require it.
func ValidateListName(name string) error {
	if !nodeIDPattern.MatchString(name) {
		return FieldError("list", "a list name is 1 to 63 letters, digits, '-' or '_', starting with a letter or digit")
	}
	return nil
}

// EnrolmentFilter selects enrolments. Nil fields do not filter.
type EnrolmentFilter struct {
	Workspace string
	JourneyID *string
	ProfileID *string
	Status    *string
	Limit     int
}

// DryRunStep is one node a dry run passed.
type DryRunStep struct {
	NodeID string `json:"node_id"`
	Type   string `json:"type"`
	// Port is the output taken (a branch, an arm, next, timeout).
	Port string `json:"port,omitempty"`
	// At is when the customer would be there.
	At   time.Time `json:"at"`
	Note string    `json:"note"`
}

// DryRun is the path a draft would take for one profile.
type DryRun struct {
	ProfileID string       `json:"profile_id"`
	Entered   bool         `json:"entered"`
	Reason    string       `json:"reason,omitempty"`
	Steps     []DryRunStep `json:"steps"`
	Outcome   string       `json:"outcome"`
}

// DryRunRequest asks what a definition would do to one customer.
type DryRunRequest struct {
	// Profile is a profile id or kind:value identifier.
	Profile string `json:"profile"`
	// Event is the trigger to test the entry with; when absent, the entry
	// is assumed to have fired.
	Event *DryRunEvent `json:"event,omitempty"`
	// Happens lists events that would occur during waits (by name), so
	// that event waits and surveys take their event path instead of the timeout.
	Happens []string `json:"happens,omitempty"`
}

// DryRunEvent is a hypothetical trigger event.
type DryRunEvent struct {
	Name       string          `json:"name"`
	Properties json.RawMessage `json:"properties,omitempty"`
	Context    json.RawMessage `json:"context,omitempty"`
}

// Orchestrator runs journeys: the part of the engine the API calls.
type Orchestrator interface {
	// Enrol puts a customer into a live journey now, as an API entry.
	// Returns ENOTFOUND for an unknown journey or profile, ECONFLICT when
	// the journey is not live or the re-entry policy says no.
	Enrol(ctx context.Context, workspace, journeyID string, profile Identifier, properties json.RawMessage) (*Enrolment, error)

	// DryRun walks def for a profile without doing anything.
	DryRun(ctx context.Context, workspace string, def *JourneyDefinition, req DryRunRequest) (*DryRun, error)

	// CheckURL vets an outbound URL against the workspace's allow-list.
	CheckURL(ctx context.Context, workspace, rawURL string) error

	// WebhookSecret returns the key (hex) webhooks of the workspace are
	// signed with, for receivers to verify them.
	WebhookSecret(ctx context.Context, workspace string) (string, error)

	// RecordConsent stores a consent answer and, if it changed anything,
	// records a consent.changed event. Returns EINVALID naming the field.
	RecordConsent(ctx context.Context, c *Consent) (changed bool, err error)

	// Unsubscribe acts on the token of an unsubscribe link: the customer
	// it names is unsubscribed from its channel. Returns EUNAUTHORIZED for
	// a token that was not issued here.
	Unsubscribe(ctx context.Context, token string) (*Consent, error)

	// PreviewMessage renders a message step for one customer as it would
	// be sent, sending nothing. Returns EINVALID naming the field (a
	// template that does not parse or run), ENOTFOUND for an unknown
	// profile.
	PreviewMessage(ctx context.Context, workspace string, req MessagePreviewRequest) (*MessagePreview, error)

	// InApp returns a customer's pending in-app messages and marks them
	// delivered. SeenInApp marks one seen. Both return ENOTFOUND for an
	// unknown customer.
	InApp(ctx context.Context, workspace string, profile Identifier) ([]*InAppMessage, error)
	SeenInApp(ctx context.Context, workspace string, profile Identifier, messageID string) error
}

// MessagePreviewRequest asks how a message step would read for one
// customer.
type MessagePreviewRequest struct {
	// Profile is a profile id or kind:value identifier.
	Profile string `json:"profile"`
	// Node is the step: an email, sms, in_app, survey (with its channel)
	// or webhook node with its message or body, as in a journey.
	Node JourneyStep `json:"node"`
	// Event is the trigger the templates see as .event; without it they
	// see an event with no properties.
	Event *DryRunEvent `json:"event,omitempty"`
	// JourneyID is what .journey.id shows.
	JourneyID string `json:"journey_id,omitempty"`
}

// MessagePreview is a message step rendered for one customer. Links a
// real message would carry (unsubscribe, survey) point to placeholder
// pages.
type MessagePreview struct {
	ProfileID string `json:"profile_id"`
	Channel   string `json:"channel"`
	// To is the address the message would go to; empty when the
	// customer has none, and the message would be skipped.
	To      string `json:"to,omitempty"`
	From    string `json:"from,omitempty"`
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text,omitempty"`
	HTML    string `json:"html,omitempty"`
	Title   string `json:"title,omitempty"`
	URL     string `json:"url,omitempty"`
	// Body is what a webhook would POST.
	Body string `json:"body,omitempty"`
}

// InAppMessage is a message waiting in the web widget for one customer.
type InAppMessage struct {
	ID        string    `json:"id"`
	Title     string    `json:"title,omitempty"`
	Body      string    `json:"body,omitempty"`
	URL       string    `json:"url,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}
