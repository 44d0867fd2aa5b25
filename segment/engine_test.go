package segment_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

const day = 24 * time.Hour

func ago(d time.Duration) time.Time { return t0.Add(-d) }

func jsonCond(t *testing.T, s string) touchpoint.SegmentCondition {
	t.Helper()
	seg, err := touchpoint.ParseSegmentDefinition([]byte(`{"name":"x","condition":` + s + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return seg.Condition
}

// TestEventConditions covers counts in windows with property filters, and
// windows that pass with no event.
func TestEventConditions(t *testing.T) {
	t.Run("AtLeastTwiceIn30Days", func(t *testing.T) {
		h := setup(t)
		h.batch(
			track("ana", "Order Completed", ago(5*day), `{"revenue":60}`),
			track("ana", "Order Completed", ago(20*day), `{"revenue":80}`),
			track("bo", "Order Completed", ago(5*day), `{"revenue":60}`),
			track("bo", "Order Completed", ago(10*day), `{"revenue":40}`),
			track("cy", "Order Completed", ago(25*day), `{"revenue":100}`),
			track("cy", "Order Completed", ago(28*day), `{"revenue":"100"}`),
			track("cy", "Order Completed", ago(40*day), `{"revenue":100}`),
			track("dee", "Product Viewed", ago(1*day), ``),
		)
		s := h.create("Big spenders", jsonCond(t, `{"event":{"name":"Order Completed","op":"gte","count":2,"within_days":30,"where":[{"property":"revenue","op":"gt","value":50}]}}`))
		expect(t, "members", h.users(s), []string{"ana", "cy"})
		expect(t, "events", h.membershipEvents(), []string{"Big spenders:ana:entered", "Big spenders:cy:entered"})

		// An order brings bo in; no one else changes.
		h.batch(track("bo", "Order Completed", ago(1*day), `{"revenue":55}`))
		expect(t, "members", h.users(s), []string{"ana", "bo", "cy"})
		expect(t, "events", h.membershipEvents(), []string{"Big spenders:bo:entered"})

		// Three days on, cy's order of 28 days ago is 31 days old: cy
		// leaves with no event of theirs, when the sweep runs.
		h.at(t0.Add(3 * day))
		h.sweep()
		expect(t, "members", h.users(s), []string{"ana", "bo"})
		expect(t, "events", h.membershipEvents(), []string{"Big spenders:cy:exited"})
		h.sweep()
		expect(t, "events after a second sweep", h.membershipEvents(), nil)
	})

	t.Run("NotIn14Days", func(t *testing.T) {
		h := setup(t)
		h.batch(
			track("ana", "Application Opened", ago(3*day), ``),
			track("bo", "Application Opened", ago(10*day), ``),
			track("cy", "Order Completed", ago(1*day), ``),
			track("dee", "Application Opened", ago(20*day), ``),
		)
		s := h.create("Lapsing app users", jsonCond(t, `{"not":{"event":{"name":"Application Opened","within_days":14}}}`))
		expect(t, "members", h.users(s), []string{"cy", "dee"})
		h.membershipEvents()
		// Five days later bo has not opened the app in 15 days.
		h.at(t0.Add(5 * day))
		h.sweep()
		expect(t, "members", h.users(s), []string{"bo", "cy", "dee"})
		expect(t, "events", h.membershipEvents(), []string{"Lapsing app users:bo:entered"})
		// Opening the app takes dee out at once.
		h.batch(track("dee", "Application Opened", t0.Add(5*day), ``))
		expect(t, "members", h.users(s), []string{"bo", "cy"})
		expect(t, "events", h.membershipEvents(), []string{"Lapsing app users:dee:exited"})
	})
}

func identify(user string, at time.Time, traits string) touchpoint.Event {
	return touchpoint.Event{Type: touchpoint.TypeIdentify, UserID: user, Timestamp: at, Traits: []byte(traits)}
}

// TestProfileConditions covers traits, computed traits and accounts: data
// the engine reads from the state store only for profiles it must decide.
func TestProfileConditions(t *testing.T) {
	h := setup(t)
	h.batch(
		identify("ana", ago(40*day), `{"plan":"pro","age":34,"email":"ana@example.com","vip":true,"city":"Hanoi"}`),
		identify("bo", ago(5*day), `{"plan":"free","age":"19","city":"Ho Chi Minh City"}`),
		identify("cy", ago(2*day), `{"plan":"enterprise"}`),
		track("ana", "Order Completed", ago(30*day), `{"revenue":120}`),
		track("ana", "Order Completed", ago(10*day), `{"total":30}`),
		track("bo", "Order Completed", ago(3*day), `{"revenue":15}`),
		touchpoint.Event{Type: touchpoint.TypeGroup, UserID: "cy", GroupID: "acme", Timestamp: ago(2 * day), Traits: []byte(`{"tier":"gold","seats":50}`)},
		touchpoint.Event{Type: touchpoint.TypeGroup, UserID: "bo", GroupID: "tiny", Timestamp: ago(2 * day), Traits: []byte(`{"tier":"bronze","seats":2}`)},
	)
	for _, c := range []struct {
		name, cond string
		want       []string
	}{
		{"TraitEq", `{"trait":{"key":"plan","op":"eq","value":"pro"}}`, []string{"ana"}},
		{"TraitNeqIncludesMissing", `{"trait":{"key":"plan","op":"neq","value":"pro"}}`, []string{"bo", "cy"}},
		{"TraitIn", `{"trait":{"key":"plan","op":"in","value":["pro","enterprise"]}}`, []string{"ana", "cy"}},
		{"TraitNumberFromString", `{"trait":{"key":"age","op":"lt","value":30}}`, []string{"bo"}},
		{"TraitBool", `{"trait":{"key":"vip","op":"eq","value":true}}`, []string{"ana"}},
		{"TraitContainsIgnoresCase", `{"trait":{"key":"city","op":"contains","value":"CHI MINH"}}`, []string{"bo"}},
		{"TraitNotExists", `{"trait":{"key":"age","op":"not_exists"}}`, []string{"cy"}},
		{"Orders", `{"computed":{"key":"orders","op":"gte","value":2}}`, []string{"ana"}},
		{"Revenue", `{"computed":{"key":"revenue","op":"gt","value":100}}`, []string{"ana"}},
		{"LastSeenMoreThan", `{"computed":{"key":"last_seen","op":"more_than","value":7}}`, []string{"ana"}},
		{"FirstSeenWithin", `{"computed":{"key":"first_seen","op":"within_last","value":7}}`, []string{"bo", "cy"}},
		{"LastOrderWithin", `{"computed":{"key":"last_order_at","op":"within_last","value":5}}`, []string{"bo"}},
		{"Account", `{"account":{"key":"tier","op":"eq","value":"gold"}}`, []string{"cy"}},
		{"AccountNumber", `{"account":{"key":"seats","op":"gte","value":10}}`, []string{"cy"}},
		{"NotAccount", `{"not":{"account":{"key":"tier","op":"exists"}}}`, []string{"ana"}},
		{"AndOr", `{"or":[{"and":[{"trait":{"key":"plan","op":"eq","value":"free"}},{"computed":{"key":"orders","op":"gte","value":1}}]},{"trait":{"key":"plan","op":"eq","value":"enterprise"}}]}`, []string{"bo", "cy"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.t = t
			s := h.create(c.name, jsonCond(t, c.cond))
			expect(t, "members", h.users(s), c.want)
		})
	}
	h.t = t
	h.membershipEvents()

	// Traits change with identify calls, accounts with group calls, and the
	// members follow.
	h.batch(identify("bo", t0, `{"plan":"pro"}`))
	h.batch(touchpoint.Event{Type: touchpoint.TypeGroup, UserID: "cy", GroupID: "acme", Timestamp: t0, Traits: []byte(`{"tier":"silver"}`)})
	segs, err := h.svc.FindSegments(h.ctx, touchpoint.SegmentFilter{Workspace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*touchpoint.Segment{}
	for _, s := range segs {
		byName[s.Name] = s
	}
	expect(t, "pro", h.users(byName["TraitEq"]), []string{"ana", "bo"})
	expect(t, "gold accounts", h.users(byName["Account"]), nil)
	expect(t, "events", h.membershipEvents(), []string{"Account:cy:exited", "AndOr:bo:exited", "TraitEq:bo:entered", "TraitIn:bo:entered",
		"TraitNeqIncludesMissing:bo:exited"})
}

// TestFeedbackJourneyConsent covers what customers told you, the journeys
// they are in and their consent: facts the engine keeps from platform
// events and feedback.
func TestFeedbackJourneyConsent(t *testing.T) {
	h := setup(t)
	answer := func(user string, at time.Time, score int, comment string) touchpoint.Event {
		return track(user, "Survey Responded", at, fmt.Sprintf(`{"survey_type":"nps","score":%d,"comment":%q,"response_id":"r-%s-%d"}`, score, comment, user, at.Unix()))
	}
	journey := func(user, event, id string, at time.Time) touchpoint.Event {
		return track(user, event, at, `{"journey_id":"`+id+`"}`)
	}
	consent := func(user, channel, status string, at time.Time) touchpoint.Event {
		return track(user, "consent.changed", at, `{"channel":"`+channel+`","status":"`+status+`"}`)
	}
	h.batch(
		answer("ana", ago(60*day), 9, ""),
		answer("ana", ago(5*day), 4, "the parcel arrived broken"),
		answer("bo", ago(20*day), 10, "love it"),
		track("cy", "Feedback Received", ago(2*day), `{"kind":"ticket","text":"my order is late again"}`),
		journey("ana", "journey.entered", "jrn_welcome", ago(10*day)),
		journey("bo", "journey.entered", "jrn_welcome", ago(10*day)),
		journey("bo", "journey.converted", "jrn_welcome", ago(4*day)),
		journey("bo", "journey.exited", "jrn_welcome", ago(4*day)),
		journey("cy", "journey.entered", "jrn_other", ago(1*day)),
		consent("ana", "email", "subscribed", ago(30*day)),
		consent("ana", "email", "unsubscribed", ago(3*day)),
		consent("bo", "email", "subscribed", ago(3*day)),
		consent("bo", "sms", "unsubscribed", ago(3*day)),
	)
	for _, c := range []struct {
		name, cond string
		want       []string
	}{
		{"Detractors", `{"feedback":{"metric":"nps","op":"lte","value":6}}`, []string{"ana"}},
		{"RecentNPS", `{"feedback":{"metric":"nps","op":"exists","within_days":10}}`, []string{"ana"}},
		{"LastNPSComputed", `{"computed":{"key":"last_nps","op":"gte","value":9}}`, []string{"bo"}},
		{"Negative", `{"feedback":{"metric":"sentiment","sentiment":"negative","within_days":30}}`, []string{"ana", "cy"}},
		{"Positive", `{"feedback":{"metric":"sentiment","sentiment":"positive","op":"gte","count":1}}`, []string{"bo"}},
		{"InJourney", `{"journey":{"journey_id":"jrn_welcome","state":"in"}}`, []string{"ana"}},
		{"Converted", `{"journey":{"journey_id":"jrn_welcome","state":"converted","within_days":7}}`, []string{"bo"}},
		{"EnteredAny", `{"or":[{"journey":{"journey_id":"jrn_welcome","state":"entered"}},{"journey":{"journey_id":"jrn_other","state":"entered"}}]}`, []string{"ana", "bo", "cy"}},
		{"EmailSubscribed", `{"consent":{"channel":"email","status":"subscribed"}}`, []string{"bo"}},
		{"EmailUnsubscribed", `{"consent":{"channel":"email","status":"unsubscribed"}}`, []string{"ana"}},
		{"SMSUnknown", `{"consent":{"channel":"sms","status":"unknown"}}`, []string{"ana", "cy"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.t = t
			s := h.create(c.name, jsonCond(t, c.cond))
			expect(t, "members", h.users(s), c.want)
		})
	}
	h.t = t
	h.membershipEvents()
	segs, err := h.svc.FindSegments(h.ctx, touchpoint.SegmentFilter{Workspace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*touchpoint.Segment{}
	for _, s := range segs {
		byName[s.Name] = s
	}
	// ana leaves the journey and answers 10; cy's complaint ages out.
	h.batch(journey("ana", "journey.exited", "jrn_welcome", t0), answer("ana", t0, 10, "love the new app"))
	h.at(t0.Add(29 * day))
	h.sweep()
	expect(t, "in journey", h.users(byName["InJourney"]), nil)
	expect(t, "detractors", h.users(byName["Detractors"]), nil)
	expect(t, "negative", h.users(byName["Negative"]), nil)
	expect(t, "positive", h.users(byName["Positive"]), []string{"ana", "bo"})
	expect(t, "events", h.membershipEvents(), []string{"Converted:bo:exited", "Detractors:ana:exited", "InJourney:ana:exited", "LastNPSComputed:ana:entered",
		"Negative:ana:exited", "Negative:cy:exited", "Positive:ana:entered", "RecentNPS:ana:exited"})
}

// TestSegmentOfSegments covers membership of other segments, with
// references, cycles and deletion guarded.
func TestSegmentOfSegments(t *testing.T) {
	h := setup(t)
	h.batch(
		track("ana", "Order Completed", ago(1*day), ``),
		track("bo", "Order Completed", ago(1*day), ``),
		identify("bo", ago(1*day), `{"plan":"pro"}`),
		track("cy", "Page Viewed", ago(1*day), ``),
	)
	buyers := h.create("Buyers", jsonCond(t, `{"event":{"name":"Order Completed"}}`))
	pro := h.create("Pro", jsonCond(t, `{"trait":{"key":"plan","op":"eq","value":"pro"}}`))
	s := h.create("Buyers not on pro", jsonCond(t, `{"and":[{"segment":{"id":"`+buyers.ID+`"}},{"not":{"segment":{"id":"`+pro.ID+`"}}}]}`))
	expect(t, "members", h.users(s), []string{"ana"})
	h.membershipEvents()
	// bo leaves pro: both bo's memberships change in one pass.
	h.batch(identify("bo", t0, `{"plan":"free"}`))
	expect(t, "members", h.users(s), []string{"ana", "bo"})
	expect(t, "events", h.membershipEvents(), []string{"Buyers not on pro:bo:entered", "Pro:bo:exited"})

	t.Run("ErrCycle", func(t *testing.T) {
		buyers.Condition = jsonCond(t, `{"segment":{"id":"`+s.ID+`"}}`)
		err := h.svc.UpdateSegment(h.ctx, buyers)
		if touchpoint.ErrorCode(err) != touchpoint.ECONFLICT || !strings.Contains(err.Error(), "cycle") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		err := h.svc.CreateSegment(h.ctx, &touchpoint.Segment{Workspace: "default", Name: "x", Condition: jsonCond(t, `{"segment":{"id":"seg_nope"}}`)})
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrDeleteUsed", func(t *testing.T) {
		if err := h.svc.DeleteSegment(h.ctx, "default", pro.ID); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("got %v", err)
		}
	})
}
