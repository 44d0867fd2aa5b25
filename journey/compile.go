package journey

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/touchpoint-cx/touchpoint"
)

// version is a published journey version made ready to run: expressions
// compiled, nodes indexed.
type version struct {
	v     *touchpoint.JourneyVersion
	def   *touchpoint.JourneyDefinition
	nodes map[string]*node
	entry *trigger // nil for date and api entries
	goal  *trigger
	exits []*trigger
	// names are the events this version reacts to.
	names    map[string]bool
	entryTOD int // entry time of day in minutes, -1 if none
}

type node struct {
	*touchpoint.JourneyStep
	cond     *vm.Program   // wait-for-event conditions
	branches []*vm.Program // branch conditions, in order
	traits   map[string]*vm.Program
	tod      int // wait until time of day, in minutes; -1 if not such a wait
}

type trigger struct {
	event string
	cond  *vm.Program // nil: always true
	// profile says the condition reads the profile, which then has to be loaded.
	profile bool
}

func compileTrigger(t touchpoint.JourneyTrigger) (*trigger, error) {
	tr := &trigger{event: t.Event}
	if strings.TrimSpace(t.Conditions) != "" {
		p, err := touchpoint.CompileExpression(t.Conditions, true)
		if err != nil {
			return nil, err
		}
		tr.cond, tr.profile = p, strings.Contains(t.Conditions, "profile")
	}
	return tr, nil
}

// compile prepares a version. Definitions were validated when saved, so an
// error here means stored data is damaged.
func compile(v *touchpoint.JourneyVersion) (*version, error) {
	cv := &version{v: v, def: &v.Definition, nodes: map[string]*node{}, names: map[string]bool{}, entryTOD: -1}
	var err error
	if t, ok := v.Definition.Entry.Trigger(); ok {
		if cv.entry, err = compileTrigger(t); err != nil {
			return nil, fmt.Errorf("journey %s v%d entry: %w", v.JourneyID, v.Version, err)
		}
		cv.names[t.Event] = true
	}
	if tod := v.Definition.Entry.TimeOfDay; tod != "" {
		if cv.entryTOD, err = touchpoint.ParseTimeOfDay(tod); err != nil {
			return nil, err
		}
	}
	if g := v.Definition.Goal; g != nil {
		if cv.goal, err = compileTrigger(touchpoint.JourneyTrigger{Event: g.Event, Conditions: g.Conditions}); err != nil {
			return nil, fmt.Errorf("journey %s v%d goal: %w", v.JourneyID, v.Version, err)
		}
		cv.names[g.Event] = true
	}
	for _, x := range v.Definition.Exits {
		t, err := compileTrigger(x)
		if err != nil {
			return nil, fmt.Errorf("journey %s v%d exit: %w", v.JourneyID, v.Version, err)
		}
		cv.exits = append(cv.exits, t)
		cv.names[x.Event] = true
	}
	for i := range v.Definition.Nodes {
		jn := &v.Definition.Nodes[i]
		n := &node{JourneyStep: jn, tod: -1}
		switch jn.Type {
		case touchpoint.NodeWait:
			if jn.Event != "" {
				cv.names[jn.Event] = true
				if jn.Conditions != "" {
					if n.cond, err = touchpoint.CompileExpression(jn.Conditions, true); err != nil {
						return nil, err
					}
				}
			}
			if jn.TimeOfDay != "" {
				if n.tod, err = touchpoint.ParseTimeOfDay(jn.TimeOfDay); err != nil {
					return nil, err
				}
			}
		case touchpoint.NodeSurvey:
			cv.names[SurveyAnswered] = true
		case touchpoint.NodeBranch:
			for _, b := range jn.Branches {
				p, err := touchpoint.CompileExpression(b.When, true)
				if err != nil {
					return nil, err
				}
				n.branches = append(n.branches, p)
			}
		case touchpoint.NodeUpdateTrait:
			n.traits = map[string]*vm.Program{}
			for k, src := range jn.Traits {
				p, err := touchpoint.CompileExpression(src, false)
				if err != nil {
					return nil, err
				}
				n.traits[k] = p
			}
		}
		cv.nodes[jn.ID] = n
	}
	return cv, nil
}

// SurveyAnswered is the event a survey node waits for.
const SurveyAnswered = "Survey Responded"

// goalWindow is how long after entry a conversion counts.
func (cv *version) goalWindow() time.Duration {
	if cv.def.Goal != nil && cv.def.Goal.Within > 0 {
		return time.Duration(cv.def.Goal.Within)
	}
	return touchpoint.DefaultGoalWindow
}

// env is what an expression sees. The profile is loaded only when asked.
type env struct {
	profile func() map[string]any
	event   map[string]any
	journey map[string]any
	now     time.Time
}

func (e *env) vars(needProfile bool) map[string]any {
	m := map[string]any{"event": e.event, "journey": e.journey, "now": e.now, "profile": map[string]any{}}
	if needProfile && e.profile != nil {
		m["profile"] = e.profile()
	}
	if m["event"] == nil {
		m["event"] = map[string]any{}
	}
	if m["journey"] == nil {
		m["journey"] = map[string]any{}
	}
	return m
}

// eval runs a boolean program. A failure (a missing value compared, say)
// counts as false: a customer whose data does not fit takes the other way.
func eval(p *vm.Program, vars map[string]any) (bool, error) {
	if p == nil {
		return true, nil
	}
	out, err := expr.Run(p, vars)
	if err != nil {
		return false, err
	}
	b, _ := out.(bool)
	return b, nil
}

// eventVars turns an event into what expressions see as event.
func eventVars(ev *touchpoint.Event) map[string]any {
	m := map[string]any{
		"id": ev.ID, "name": ev.Event, "type": string(ev.Type), "channel": ev.Channel,
		"timestamp": ev.Timestamp, "user_id": ev.UserID, "anonymous_id": ev.AnonymousID,
	}
	for k, raw := range map[string]json.RawMessage{"properties": ev.Properties, "traits": ev.Traits, "context": ev.Context} {
		var v map[string]any
		if len(raw) > 0 {
			_ = json.Unmarshal(raw, &v)
		}
		if v == nil {
			v = map[string]any{}
		}
		m[k] = v
	}
	return m
}

// profileVars turns a profile into what expressions and templates see.
func profileVars(p *touchpoint.Profile) map[string]any {
	if p == nil {
		return map[string]any{"traits": map[string]any{}, "computed": map[string]any{}}
	}
	traits := map[string]any{}
	for k, raw := range p.Traits {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			traits[k] = v
		}
	}
	var computed map[string]any
	b, _ := json.Marshal(p.Computed)
	_ = json.Unmarshal(b, &computed)
	ids := map[string]any{}
	for _, id := range p.Identifiers {
		if _, ok := ids[id.Kind]; !ok {
			ids[id.Kind] = id.Value
		}
	}
	return map[string]any{"id": p.ID, "traits": traits, "computed": computed, "identifiers": ids}
}

// triggerRecord is what an enrolment keeps of the event that started it,
// for branches and templates later on.
type triggerRecord struct {
	ID         string          `json:"id,omitempty"`
	Name       string          `json:"name,omitempty"`
	Type       string          `json:"type,omitempty"`
	Channel    string          `json:"channel,omitempty"`
	Timestamp  time.Time       `json:"timestamp,omitzero"`
	Properties json.RawMessage `json:"properties,omitempty"`
	Context    json.RawMessage `json:"context,omitempty"`
}

func recordOf(ev *touchpoint.Event) json.RawMessage {
	if ev == nil {
		return json.RawMessage("{}")
	}
	b, _ := json.Marshal(triggerRecord{ID: ev.ID, Name: ev.Event, Type: string(ev.Type), Channel: ev.Channel, Timestamp: ev.Timestamp, Properties: ev.Properties, Context: ev.Context})
	return b
}

// triggerVars reads an enrolment's trigger back as event variables.
func triggerVars(raw json.RawMessage) map[string]any {
	var r triggerRecord
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r)
	}
	return eventVars(&touchpoint.Event{ID: r.ID, Event: r.Name, Type: touchpoint.EventType(r.Type), Channel: r.Channel, Timestamp: r.Timestamp, Properties: r.Properties, Context: r.Context})
}

// timezoneOf finds a customer's timezone: the timezone trait, else the
// timezone their trigger event's context carried, else the workspace's.
func timezoneOf(p *touchpoint.Profile, trigger json.RawMessage, fallback string) *time.Location {
	try := func(name string) *time.Location {
		if name == "" {
			return nil
		}
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil
		}
		return loc
	}
	if p != nil {
		var tz string
		if raw, ok := p.Traits["timezone"]; ok && json.Unmarshal(raw, &tz) == nil {
			if loc := try(tz); loc != nil {
				return loc
			}
		}
	}
	var r struct {
		Context struct {
			Timezone string `json:"timezone"`
		} `json:"context"`
	}
	if len(trigger) > 0 && json.Unmarshal(trigger, &r) == nil {
		if loc := try(r.Context.Timezone); loc != nil {
			return loc
		}
	}
	if loc := try(fallback); loc != nil {
		return loc
	}
	return time.UTC
}
