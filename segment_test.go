package touchpoint_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

func TestSegmentValidate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		body := `{"name":" Loyal buyers ","description":"Two orders a month","condition":{"and":[
			{"event":{"name":"Order Completed","op":"gte","count":2,"within_days":30,"where":[{"property":"revenue","op":"gt","value":50}]}},
			{"not":{"event":{"name":"Application Opened","within_days":14}}},
			{"trait":{"key":"plan","op":"in","value":["pro","enterprise"]}},
			{"computed":{"key":"last_seen","op":"within_last","value":7}},
			{"feedback":{"metric":"nps","op":"lte","value":6}},
			{"feedback":{"metric":"sentiment","sentiment":"negative","within_days":30}},
			{"journey":{"journey_id":"jrn_1","state":"in"}},
			{"account":{"key":"tier","op":"eq","value":"gold"}},
			{"consent":{"channel":"email","status":"subscribed"}},
			{"or":[{"segment":{"id":"seg_ABC"}},{"trait":{"key":"vip","op":"eq","value":true}}]}]}}`
		s, err := touchpoint.ParseSegmentDefinition([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != "Loyal buyers" || len(s.Condition.And) != 10 || s.Condition.And[0].Event.Type != "track" {
			t.Fatalf("parsed %+v", s)
		}
		if refs := s.Condition.SegmentRefs(); len(refs) != 1 || refs[0] != "seg_ABC" {
			t.Fatalf("refs = %v", refs)
		}
		// It reads back as it was written.
		b, err := json.Marshal(s.Condition)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"value":["pro","enterprise"]`) || !strings.Contains(string(b), `"value":true`) {
			t.Fatalf("marshalled %s", b)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, c := range []struct{ body, field string }{
			{`{"condition":{"trait":{"key":"a","op":"exists"}}}`, "name"},
			{`{"name":"x","condition":{}}`, "condition"},
			{`{"name":"x","condition":{"trait":{"key":"a","op":"exists"},"event":{"name":"b"}}}`, "condition"},
			{`{"name":"x","condition":{"and":[]}}`, "condition.and"},
			{`{"name":"x","condition":{"and":[{"trait":{"key":"","op":"exists"}}]}}`, "condition.and[0].trait.key"},
			{`{"name":"x","condition":{"trait":{"key":"a","op":"gt","value":"5"}}}`, "condition.trait.value"},
			{`{"name":"x","condition":{"trait":{"key":"a","op":"like","value":"5"}}}`, "condition.trait.op"},
			{`{"name":"x","condition":{"trait":{"key":"a","op":"exists","value":1}}}`, "condition.trait.value"},
			{`{"name":"x","condition":{"or":[{"event":{"name":"A","count":2000}}]}}`, "condition.or[0].event.count"},
			{`{"name":"x","condition":{"event":{"name":"A","within_days":5000}}}`, "condition.event.within_days"},
			{`{"name":"x","condition":{"event":{"name":""}}}`, "condition.event.name"},
			{`{"name":"x","condition":{"event":{"name":"segment.entered"}}}`, "condition.event.name"},
			{`{"name":"x","condition":{"event":{"type":"alias"}}}`, "condition.event.type"},
			{`{"name":"x","condition":{"event":{"name":"A","where":[{"property":"p","op":"contains","value":""}]}}}`, "condition.event.where[0].value"},
			{`{"name":"x","condition":{"computed":{"key":"karma","op":"gt","value":1}}}`, "condition.computed.key"},
			{`{"name":"x","condition":{"computed":{"key":"last_seen","op":"gt","value":1}}}`, "condition.computed.op"},
			{`{"name":"x","condition":{"computed":{"key":"orders","op":"exists"}}}`, "condition.computed.op"},
			{`{"name":"x","condition":{"feedback":{"metric":"csat"}}}`, "condition.feedback.metric"},
			{`{"name":"x","condition":{"feedback":{"metric":"sentiment","sentiment":"angry"}}}`, "condition.feedback.sentiment"},
			{`{"name":"x","condition":{"feedback":{"metric":"nps","op":"eq","value":"high"}}}`, "condition.feedback.value"},
			{`{"name":"x","condition":{"journey":{"journey_id":"j","state":"waiting"}}}`, "condition.journey.state"},
			{`{"name":"x","condition":{"journey":{"journey_id":"j","state":"in","within_days":3}}}`, "condition.journey.within_days"},
			{`{"name":"x","condition":{"consent":{"channel":"fax","status":"subscribed"}}}`, "condition.consent.channel"},
			{`{"name":"x","condition":{"segment":{"id":"nope"}}}`, "condition.segment.id"},
			{`{"name":"x","condition":{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"not":{"trait":{"key":"a","op":"exists"}}}}}}}}}}}}}}`, "condition.not.not.not.not.not.not.not.not.not.not.not"},
		} {
			_, err := touchpoint.ParseSegmentDefinition([]byte(c.body))
			if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != c.field {
				t.Errorf("%s: got %v (field %q), want field %q", c.body, err, touchpoint.ErrorField(err), c.field)
			}
		}
		for _, body := range []string{`{"name":"x","condition":{"trait":{"key":"a","op":"eq","value":{"x":1}}}}`,
			`{"name":"x","condition":{"trait":{"key":"a","op":"in","value":["a",1]}}}`, `{"name":"x","bogus":1,"condition":{}}`} {
			if _, err := touchpoint.ParseSegmentDefinition([]byte(body)); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
				t.Errorf("%s: got %v", body, err)
			}
		}
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		var parts []string
		for range touchpoint.MaxSegmentConditions + 1 {
			parts = append(parts, `{"trait":{"key":"a","op":"exists"}}`)
		}
		_, err := touchpoint.ParseSegmentDefinition([]byte(`{"name":"x","condition":{"or":[` + strings.Join(parts, ",") + `]}}`))
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID || !strings.Contains(err.Error(), "at most") {
			t.Fatalf("got %v", err)
		}
	})
}

// FuzzSegmentDefinition feeds the parser definitions as API clients could
// send them: it must answer with a definition or an error naming a field,
// never panic, and a definition it accepts must survive a round trip.
func FuzzSegmentDefinition(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","condition":{"event":{"name":"Order Completed","op":"gte","count":2,"within_days":30}}}`,
		`{"name":"a","condition":{"and":[{"trait":{"key":"plan","op":"in","value":["pro"]}},{"not":{"segment":{"id":"seg_1"}}}]}}`,
		`{"name":"a","condition":{"feedback":{"metric":"nps","op":"lte","value":6}}}`,
		`{"name":"a","condition":{"or":[{"consent":{"channel":"sms","status":"unknown"}},{"journey":{"journey_id":"j","state":"in"}}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := touchpoint.ParseSegmentDefinition(data)
		if err != nil {
			if touchpoint.ErrorCode(err) != touchpoint.EINVALID {
				t.Fatalf("error code %q: %v", touchpoint.ErrorCode(err), err)
			}
			return
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back touchpoint.Segment
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
	})
}

func TestSegmentDescribe(t *testing.T) {
	s, err := touchpoint.ParseSegmentDefinition([]byte(`{"name":"x","condition":{"and":[
		{"event":{"name":"Order Completed","op":"gte","count":2,"within_days":30,"where":[{"property":"revenue","op":"gt","value":50}]}},
		{"not":{"event":{"name":"Application Opened","within_days":14}}},
		{"or":[{"trait":{"key":"plan","op":"eq","value":"pro"}},{"segment":{"id":"seg_1"}}]},
		{"feedback":{"metric":"nps","op":"lte","value":6}},
		{"computed":{"key":"last_seen","op":"more_than","value":7}}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Condition.Describe(func(id string) string { return "VIP" })
	want := `did Order Completed where revenue > 50 at least 2 times in the last 30 days and did not do Application Opened in the last 14 days and (trait plan is "pro" or in segment “VIP”) and last NPS answer at most 6 and last seen more than 7 days ago`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
