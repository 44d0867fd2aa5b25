package touchpoint_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

const validJourney = `
id: welcome
name: Welcome
entry:
  type: event
  event: Signed Up
  conditions: event.properties.plan == "pro"
  next: wait
  position: {x: 0, y: 0}
nodes:
  - id: wait
    type: wait
    duration: 2d
    next: route
  - id: route
    type: branch
    branches:
      - {name: buyer, when: "profile.computed.orders > 0", next: thanks}
    else: nudge
  - id: thanks
    type: email
    message: {subject: "Thanks {{.profile.traits.first_name}}", html: "<p>Thanks</p>"}
  - id: nudge
    type: split
    arms:
      - {name: a, weight: 50, next: mail}
      - {name: holdout, weight: 50, holdout: true}
  - id: mail
    type: email
    message: {subject: Hello, text: Hi}
goal: {event: Order Completed, within: 14d}
exits: [{event: Account Deleted}]
`

func decode(t *testing.T, src string) *touchpoint.JourneyDocument {
	t.Helper()
	doc, err := touchpoint.DecodeJourney([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestJourneyValidate(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		doc := decode(t, validJourney)
		if err := doc.Validate(ctx, "default", nil); err != nil {
			t.Fatal(err)
		}
		if doc.ID != "welcome" || time.Duration(doc.Nodes[0].Duration) != 48*time.Hour || doc.Entry.Position == nil {
			t.Fatalf("decoded %+v", doc)
		}
		edges := doc.Edges()
		if len(edges) != 5 || edges[0] != (touchpoint.Edge{From: "entry", Port: "next", To: "wait"}) {
			t.Fatalf("edges %+v", edges)
		}
	})
	for _, tt := range []struct {
		name, from, to, field, mention string
	}{
		{"ErrUnknownNodeType", "type: split\n    arms", "type: splitt\n    arms", "nodes[3].type", `node "nudge": unknown node type "splitt"`},
		{"ErrBadExpression", "profile.computed.orders > 0", "profile.computed.orders >", "nodes[1].branches[0].when", `node "route"`},
		{"ErrExpressionNotBool", "profile.computed.orders > 0", "1 + 2", "nodes[1].branches[0].when", "bool"},
		{"ErrUnknownVariable", `event.properties.plan == "pro"`, `evnt.properties.plan == "pro"`, "entry.conditions", "evnt"},
		{"ErrDanglingLink", "next: thanks", "next: thank", "nodes[1].branches[0].next", `leads to "thank"`},
		{"ErrBadTemplate", "Thanks {{.profile.traits.first_name}}", "Thanks {{.profile.traits.first_name", "nodes[2].message.subject", `node "thanks": template`},
		{"ErrWaitNeedsOne", "duration: 2d", "duration: 2d\n    time_of_day: \"09:00\"", "nodes[0].duration", "exactly one"},
		{"ErrFieldOfOtherType", "duration: 2d", "duration: 2d\n    url: http://x", "nodes[0].url", "a wait node has no url"},
		{"ErrHoldoutWithNext", "holdout: true}", "holdout: true, next: mail}", "nodes[3].arms[1].next", "receives nothing"},
		{"ErrDuplicateID", "id: mail", "id: thanks", "nodes[4].id", "used twice"},
		{"ErrReservedID", "id: mail", "id: entry", "nodes[4].id", "reserved"},
		{"ErrEntryType", "type: event\n  event: Signed Up", "type: webhook\n  event: Signed Up", "entry.type", "unknown entry type"},
		{"ErrEmailNeedsSubject", "{subject: Hello, text: Hi}", "{text: Hi}", "nodes[4].message.subject", "subject"},
		{"ErrBadDuration", "within: 14d", "within: 14x", "", "invalid duration"},
		{"ErrUnknownField", "exits:", "exitz:", "exitz", "unknown field"},
		{"ErrLoopWithoutWait", "{name: a, weight: 50, next: mail}", "{name: a, weight: 50, next: route}", "nodes[3]", `node "nudge" leads back to "route" without a wait`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(validJourney, tt.from, tt.to, 1)
			if src == validJourney {
				t.Fatalf("%q not found in the journey", tt.from)
			}
			doc, err := touchpoint.DecodeJourney([]byte(src))
			if err == nil {
				err = doc.Validate(ctx, "default", nil)
			}
			if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != tt.field || !strings.Contains(touchpoint.ErrorMessage(err), tt.mention) {
				t.Fatalf("got %v (field %q); want field %q mentioning %q", err, touchpoint.ErrorField(err), tt.field, tt.mention)
			}
		})
	}
	t.Run("WebhookURLChecked", func(t *testing.T) {
		doc := decode(t, `
name: Hook
entry: {type: api, next: h}
nodes: [{id: h, type: webhook, url: "http://10.0.0.5/x"}]
`)
		check := func(_ context.Context, ws, url string) error {
			return touchpoint.Errorf(touchpoint.EINVALID, "10.0.0.5 is a private address")
		}
		err := doc.Validate(ctx, "default", check)
		if touchpoint.ErrorField(err) != "nodes[0].url" || !strings.Contains(touchpoint.ErrorMessage(err), `node "h": 10.0.0.5 is a private address`) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestDecodeJourneyJSONAndYAMLAgree(t *testing.T) {
	y := decode(t, validJourney)
	b, err := touchpoint.EncodeJourneyYAML(y)
	if err != nil {
		t.Fatal(err)
	}
	again := decode(t, string(b))
	if again.Nodes[1].Branches[0].When != "profile.computed.orders > 0" || again.Goal.Within != y.Goal.Within || again.Name != "Welcome" {
		t.Fatalf("YAML round trip changed the journey:\n%s", b)
	}
	j := decode(t, `{"id":"x","name":"X","entry":{"type":"api","next":"e"},"nodes":[{"id":"e","type":"exit"}]}`)
	if err := j.Validate(context.Background(), "default", nil); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "   ", "- a\n- b", `{"name":`, `{"name":"x"} {"name":"y"}`, `{"nodes":"x"}`} {
		if _, err := touchpoint.DecodeJourney([]byte(bad)); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Errorf("%q: got %v", bad, err)
		}
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"2d": 48 * time.Hour, "1w": 168 * time.Hour, "1w2d12h": 228 * time.Hour, "-30d": -720 * time.Hour, "90m": 90 * time.Minute, "1.5h": 90 * time.Minute} {
		d, err := touchpoint.ParseDuration(in)
		if err != nil || time.Duration(d) != want {
			t.Errorf("%s: %v %v", in, time.Duration(d), err)
		}
	}
	for _, bad := range []string{"2x", "d", "--1d", "1d-2h"} {
		if _, err := touchpoint.ParseDuration(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if s := touchpoint.Duration(14 * 24 * time.Hour).String(); s != "2w" {
		t.Errorf("String = %s", s)
	}
}

func TestQuietHours(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	q := touchpoint.QuietHours{Start: "21:00", End: "08:00"}
	for _, tt := range []struct {
		local string
		until string
	}{
		{"2026-11-23 20:59", ""},
		{"2026-11-23 21:00", "2026-11-24 08:00"},
		{"2026-11-24 03:00", "2026-11-24 08:00"},
		{"2026-11-24 08:00", ""},
	} {
		now, _ := time.ParseInLocation("2006-01-02 15:04", tt.local, paris)
		got := q.QuietUntil(now, paris)
		if tt.until == "" {
			if !got.IsZero() {
				t.Errorf("%s: quiet until %v", tt.local, got)
			}
			continue
		}
		want, _ := time.ParseInLocation("2006-01-02 15:04", tt.until, paris)
		if !got.Equal(want) {
			t.Errorf("%s: quiet until %v, want %v", tt.local, got.In(paris), want)
		}
	}
	// Daylight saving: 09:00 local on the day clocks change is still 09:00 local.
	now := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	if got := touchpoint.NextTimeOfDay(now, paris, 9*60).In(paris); got.Hour() != 9 || got.Day() != 29 {
		t.Errorf("NextTimeOfDay across DST = %v", got)
	}
}

func TestMessagingSettingsValidate(t *testing.T) {
	s := touchpoint.DefaultMessagingSettings()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, mutate := range map[string]func(*touchpoint.MessagingSettings){
		"budget.per":        func(s *touchpoint.MessagingSettings) { s.Budget.Per = 0 },
		"quiet_hours":       func(s *touchpoint.MessagingSettings) { s.QuietHours.End = "" },
		"quiet_hours.start": func(s *touchpoint.MessagingSettings) { s.QuietHours.Start = "25:00" },
		"timezone":          func(s *touchpoint.MessagingSettings) { s.Timezone = "Mars/Olympus" },
		"opt_in_channels":   func(s *touchpoint.MessagingSettings) { s.OptInChannels = []string{"fax"} },
		"allowed_hosts[0]":  func(s *touchpoint.MessagingSettings) { s.AllowedHosts = []string{"http://x/"} },
	} {
		s := touchpoint.DefaultMessagingSettings()
		mutate(&s)
		if err := s.Validate(); touchpoint.ErrorField(err) != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func FuzzDecodeJourney(f *testing.F) {
	f.Add([]byte(validJourney))
	f.Add([]byte(`{"id":"x","name":"X","entry":{"type":"api","next":"e"},"nodes":[{"id":"e","type":"exit"}]}`))
	f.Add([]byte("name: [a\n"))
	f.Add([]byte(`{"nodes":[{"id":"w","type":"wait","duration":"1w2d"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := touchpoint.DecodeJourney(data)
		if err != nil {
			if c := touchpoint.ErrorCode(err); c != touchpoint.EINVALID && c != touchpoint.ETOOLARGE {
				t.Fatalf("code %s for %v", c, err)
			}
			return
		}
		err = doc.Validate(context.Background(), "default", nil)
		if err != nil && touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("validate: %v", err)
		}
	})
}
