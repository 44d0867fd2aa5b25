package touchpoint_test

import (
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

func TestPlatformEvent(t *testing.T) {
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	t.Run("ProfileWithoutUserID", func(t *testing.T) {
		ev, err := touchpoint.PlatformEvent{ID: "x1", Workspace: "default", ProfileID: "prf_1", Event: "message.sent", Channel: "email",
			Properties: map[string]any{"journey_id": "j1"}, Timestamp: at}.Build()
		if err != nil {
			t.Fatal(err)
		}
		if ev.AnonymousID != "prf_1" || ev.UserID != "" || ev.SourceID != touchpoint.SystemSourceID || ev.Type != touchpoint.TypeTrack {
			t.Fatalf("event %+v", ev)
		}
		ids, _ := touchpoint.EventIdentifiers(&ev, touchpoint.DefaultIdentityRules())
		found := false
		for _, id := range ids {
			found = found || (id.Kind == touchpoint.KindProfile && id.Value == "prf_1")
		}
		if !found {
			t.Fatalf("identifiers %v lack profile:prf_1", ids)
		}
	})
	t.Run("UserID", func(t *testing.T) {
		ev, err := touchpoint.PlatformEvent{ID: "x2", Workspace: "default", UserID: "u1", Event: "segment.entered", Timestamp: at}.Build()
		if err != nil || ev.UserID != "u1" || ev.AnonymousID != "" || strings.Contains(string(ev.Context), "externalIds") {
			t.Fatalf("event %+v, %v", ev, err)
		}
	})
	t.Run("AnonymousVisitor", func(t *testing.T) {
		ev, err := touchpoint.PlatformEvent{ID: "x4", Workspace: "default", AnonymousID: "anon-7", Event: "Survey Responded", Timestamp: at}.Build()
		if err != nil || ev.AnonymousID != "anon-7" || ev.UserID != "" || strings.Contains(string(ev.Context), "externalIds") {
			t.Fatalf("event %+v, %v", ev, err)
		}
		both, err := touchpoint.PlatformEvent{ID: "x5", Workspace: "default", UserID: "u1", AnonymousID: "anon-7", Event: "Survey Responded", Timestamp: at}.Build()
		if err != nil || both.UserID != "u1" || both.AnonymousID != "anon-7" {
			t.Fatalf("event %+v, %v", both, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := touchpoint.PlatformEvent{ID: "x3", Workspace: "default", Event: "case.opened", Timestamp: at}.Build()
		if touchpoint.ErrorField(err) != "profile_id" {
			t.Fatalf("got %v", err)
		}
	})
}

// A profile id sent from outside is ignored: write keys are public.
func TestProfileIdentifierOnlyFromTouchpoint(t *testing.T) {
	ev := touchpoint.Event{ID: "e", Workspace: "default", SourceID: "src_web", Type: touchpoint.TypeTrack, Event: "x", AnonymousID: "a1",
		Context: []byte(`{"externalIds":[{"type":"profile","id":"prf_victim"},{"type":"zendesk_id","id":"z9"}]}`)}
	ids, _ := touchpoint.EventIdentifiers(&ev, touchpoint.DefaultIdentityRules())
	for _, id := range ids {
		if id.Kind == touchpoint.KindProfile {
			t.Fatalf("profile identifier accepted from a write key: %v", ids)
		}
	}
	if len(ids) != 2 {
		t.Fatalf("identifiers %v, want anonymous_id and zendesk_id", ids)
	}
}
