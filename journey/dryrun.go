package journey

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/touchpoint-cx/touchpoint"
)

// DryRun walks a definition (a draft, usually) for one customer and tells
// the path they would take, doing nothing: no enrolment, no message, no
// event. Waits are passed as if their time had come; an event wait takes
// its event path only if the request says the event happens.
func (e *Engine) DryRun(ctx context.Context, workspace string, def *touchpoint.JourneyDefinition, req touchpoint.DryRunRequest) (*touchpoint.DryRun, error) {
	if strings.TrimSpace(req.Profile) == "" {
		return nil, touchpoint.FieldError("profile", "required: a profile id or kind:value identifier")
	}
	if err := def.Validate(ctx, workspace, nil); err != nil {
		return nil, err
	}
	p, err := e.profileByRef(ctx, workspace, req.Profile)
	if err != nil {
		return nil, err
	}
	cv, err := compile(&touchpoint.JourneyVersion{Workspace: workspace, JourneyID: "dry-run", Definition: *def})
	if err != nil {
		return nil, err
	}
	settings, err := e.cfg.Store.MessagingSettings(ctx, workspace)
	if err != nil {
		return nil, err
	}
	now := e.cfg.Clock.Now().UTC()
	out := &touchpoint.DryRun{ProfileID: p.ID, Steps: []touchpoint.DryRunStep{}}
	ev := &touchpoint.Event{ID: "dry-run", Workspace: workspace, Type: touchpoint.TypeTrack, Timestamp: now}
	if req.Event != nil {
		ev.Event, ev.Properties, ev.Context = req.Event.Name, req.Event.Properties, req.Event.Context
	} else if t, ok := def.Entry.Trigger(); ok {
		ev.Event = t.Event
	}
	trigger := recordOf(ev)
	pv, err := e.profileVars(ctx, workspace, p)
	if err != nil {
		return nil, err
	}
	vars := &env{profile: func() map[string]any { return pv }, event: eventVars(ev), now: now,
		journey: map[string]any{"id": "dry-run", "version": 0, "arm": "", "entered_at": now}}
	if cv.entry != nil {
		if ev.Event != cv.entry.event {
			out.Reason = fmt.Sprintf("the entry listens for %q, not %q", cv.entry.event, ev.Event)
			out.Outcome = "not entered"
			return out, nil
		}
		if req.Event != nil && !(&run{}).match(cv.entry, vars) {
			out.Reason = "the event does not meet the entry conditions"
			out.Outcome = "not entered"
			return out, nil
		}
	}
	out.Entered = true
	t := now
	add := func(nodeID, typ, port, note string) {
		out.Steps = append(out.Steps, touchpoint.DryRunStep{NodeID: nodeID, Type: typ, Port: port, At: t, Note: note})
	}
	loc := timezoneOf(p, trigger, settings.Timezone)
	entryNote := "enters now"
	if cv.entryTOD >= 0 {
		t = touchpoint.NextTimeOfDay(t, loc, cv.entryTOD)
		entryNote = "enters at " + def.Entry.TimeOfDay + " " + loc.String()
	}
	add(touchpoint.EntryNodeID, "entry", touchpoint.PortNext, entryNote)
	happens := func(name string) bool { return slices.Contains(req.Happens, name) }
	goalHit := func() bool {
		if cv.goal != nil && happens(cv.goal.event) {
			out.Outcome = "converted: the goal " + cv.goal.event + " happens while waiting"
			return true
		}
		return false
	}
	nodeID := def.Entry.Next
	for hops := 0; hops < maxHops; hops++ {
		if nodeID == "" {
			out.Outcome = "completed: the path ends"
			return out, nil
		}
		n := cv.nodes[nodeID]
		switch n.Type {
		case touchpoint.NodeWait:
			switch {
			case n.Event != "":
				if goalHit() {
					add(n.ID, n.Type, "", "waits for "+n.Event)
					return out, nil
				}
				if happens(n.Event) {
					add(n.ID, n.Type, touchpoint.PortNext, n.Event+" happens")
					nodeID = n.Next
					continue
				}
				t = t.Add(time.Duration(n.Timeout))
				add(n.ID, n.Type, touchpoint.PortTimeout, fmt.Sprintf("%s does not happen within %s", n.Event, n.Timeout))
				nodeID = n.TimeoutNext
				continue
			case n.tod >= 0:
				t = touchpoint.NextTimeOfDay(t, loc, n.tod)
				add(n.ID, n.Type, touchpoint.PortNext, "waits until "+n.TimeOfDay+" "+loc.String())
			default:
				t = t.Add(time.Duration(n.Duration))
				add(n.ID, n.Type, touchpoint.PortNext, "waits "+n.Duration.String())
			}
			if goalHit() {
				return out, nil
			}
			nodeID = n.Next
		case touchpoint.NodeSurvey:
			note := fmt.Sprintf("would send survey %s by %s", n.SurveyID, n.Channel)
			if happens(SurveyAnswered) {
				add(n.ID, n.Type, touchpoint.PortNext, note+"; the customer answers")
				nodeID = n.Next
				continue
			}
			t = t.Add(time.Duration(n.Timeout))
			add(n.ID, n.Type, touchpoint.PortTimeout, note+"; no answer within "+n.Timeout.String())
			nodeID = n.TimeoutNext
		case touchpoint.NodeBranch:
			port, next, note := touchpoint.PortElse, n.Else, "no branch holds"
			for i, prog := range n.branches {
				ok, err := eval(prog, vars.vars(true))
				if err != nil {
					note = fmt.Sprintf("branch %s could not be evaluated (%s); ", n.Branches[i].Name, err)
					continue
				}
				if ok {
					port, next, note = n.Branches[i].Name, n.Branches[i].Next, "holds: "+n.Branches[i].When
					break
				}
			}
			add(n.ID, n.Type, port, note)
			nodeID = next
		case touchpoint.NodeSplit:
			arm := pickArm(enrolmentID(cv.v, p.ID, "dry-run"), n.JourneyStep)
			total := 0
			for _, a := range n.Arms {
				total += a.Weight
			}
			note := fmt.Sprintf("arm %s (weight %d of %d)", arm.Name, arm.Weight, total)
			if arm.Holdout {
				add(n.ID, n.Type, arm.Name, note+": holdout, receives nothing")
				out.Outcome = "holdout"
				return out, nil
			}
			add(n.ID, n.Type, arm.Name, note)
			nodeID = arm.Next
		case touchpoint.NodeEmail, touchpoint.NodeSMS, touchpoint.NodeInApp:
			kind := map[string]string{touchpoint.NodeEmail: touchpoint.KindEmail, touchpoint.NodeSMS: touchpoint.KindPhone}[n.Type]
			note := "would show an in-app message"
			if kind != "" {
				addr := addressOf(p, kind)
				note = fmt.Sprintf("would send %s to %s", n.Type, addr)
				if addr == "" {
					note = fmt.Sprintf("would skip the %s: the profile has no %s", n.Type, kind)
				}
			}
			add(n.ID, n.Type, touchpoint.PortNext, note)
			nodeID = n.Next
		case touchpoint.NodeWebhook:
			add(n.ID, n.Type, touchpoint.PortNext, "would POST to "+n.URL)
			nodeID = n.Next
		case touchpoint.NodeUpdateTrait:
			var parts []string
			for k, prog := range n.traits {
				v, err := expr.Run(prog, vars.vars(true))
				if err != nil {
					parts = append(parts, fmt.Sprintf("%s: error %s", k, err))
					continue
				}
				b, _ := json.Marshal(v)
				parts = append(parts, k+" = "+string(b))
			}
			slices.Sort(parts)
			add(n.ID, n.Type, touchpoint.PortNext, "would set "+strings.Join(parts, ", "))
			nodeID = n.Next
		case touchpoint.NodeList:
			add(n.ID, n.Type, touchpoint.PortNext, fmt.Sprintf("would %s list %s", n.Op, n.List))
			nodeID = n.Next
		case touchpoint.NodeExit:
			add(n.ID, n.Type, "", "ends the journey")
			out.Outcome = "completed: exit node"
			return out, nil
		}
	}
	out.Outcome = "stopped: too many steps"
	return out, nil
}

// profileByRef finds the profile a request names by profile id or
// kind:value identifier. Returns EINVALID naming the field "profile", or
// ENOTFOUND.
func (e *Engine) profileByRef(ctx context.Context, workspace, ref string) (*touchpoint.Profile, error) {
	id := touchpoint.Identifier{Kind: touchpoint.KindProfile, Value: ref}
	if strings.Contains(ref, ":") {
		var err error
		if id, err = touchpoint.ParseIdentifier(ref); err != nil {
			return nil, touchpoint.FieldError("profile", "%s", touchpoint.ErrorMessage(err))
		}
		if n, err := touchpoint.DefaultIdentityRules().Normalize(id); err == nil {
			id = n
		}
	}
	return e.cfg.Profiles.FindProfile(ctx, workspace, id)
}
