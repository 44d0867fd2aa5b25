package statetest

import (
	"context"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

func draft(name string) touchpoint.JourneyDefinition {
	return touchpoint.JourneyDefinition{Name: name, Entry: touchpoint.JourneyEntry{Type: touchpoint.EntryAPI, Next: "e"},
		Nodes: []touchpoint.JourneyStep{{ID: "e", Type: touchpoint.NodeExit, Position: &touchpoint.Position{X: 10, Y: 20}}}}
}

func runJourneys(t *testing.T, withWorkspace func(*testing.T) Backend) {
	ctx := context.Background()
	t.Run("DraftsAndVersions", func(t *testing.T) {
		b := withWorkspace(t)
		j := &touchpoint.Journey{ID: "welcome", Workspace: "acme", Draft: draft("First"), UpdatedBy: "user:ana"}
		if err := b.SaveJourney(ctx, j); err != nil {
			t.Fatal(err)
		}
		if j.Status != touchpoint.JourneyDraft || j.ActiveVersion != 0 || j.CreatedAt.IsZero() {
			t.Fatalf("saved %+v", j)
		}
		v1, err := b.PublishJourney(ctx, "acme", "welcome", "user:ana")
		if err != nil || v1.Version != 1 || v1.Definition.Name != "First" {
			t.Fatalf("publish: %+v %v", v1, err)
		}
		// A new draft changes nothing published.
		if err := b.SaveJourney(ctx, &touchpoint.Journey{ID: "welcome", Workspace: "acme", Draft: draft("Second"), UpdatedBy: "user:bo"}); err != nil {
			t.Fatal(err)
		}
		got, err := b.FindJourneyVersion(ctx, "acme", "welcome", 1)
		if err != nil || got.Definition.Name != "First" || got.Definition.Nodes[0].Position.Y != 20 {
			t.Fatalf("version 1 after a new draft: %+v %v", got, err)
		}
		v2, err := b.PublishJourney(ctx, "acme", "welcome", "user:bo")
		if err != nil || v2.Version != 2 {
			t.Fatalf("second publish: %+v %v", v2, err)
		}
		cur, err := b.FindJourney(ctx, "acme", "welcome")
		if err != nil || cur.Status != touchpoint.JourneyLive || cur.ActiveVersion != 2 || cur.Draft.Name != "Second" || cur.UpdatedBy != "user:bo" {
			t.Fatalf("journey %+v %v", cur, err)
		}
		stopped, err := b.StopJourney(ctx, "acme", "welcome", "user:ana")
		if err != nil || stopped.Status != touchpoint.JourneyStopped {
			t.Fatalf("stop: %+v %v", stopped, err)
		}
		list, err := b.ListJourneys(ctx, "acme")
		if err != nil || len(list) != 1 {
			t.Fatalf("list %v %v", list, err)
		}
		st, err := b.JourneyStats(ctx, "acme", "welcome", 2)
		if err != nil || st.Nodes["e"] == nil || st.Nodes["entry"] == nil || st.Enrolled != 0 {
			t.Fatalf("stats of an unused version: %+v %v", st, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		b := withWorkspace(t)
		if _, err := b.FindJourney(ctx, "acme", "nope"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("find: %v", err)
		}
		if _, err := b.PublishJourney(ctx, "acme", "nope", "x"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("publish: %v", err)
		}
		if _, err := b.FindJourneyVersion(ctx, "acme", "nope", 1); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("version: %v", err)
		}
		if err := b.SaveJourney(ctx, &touchpoint.Journey{ID: "x", Workspace: "acme", Draft: draft("X")}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.StopJourney(ctx, "acme", "x", "y"); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("stop a draft: %v", err)
		}
		if _, err := b.FindJourney(ctx, "other", "x"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("another workspace sees the journey: %v", err)
		}
	})
	t.Run("ErrInvalidID", func(t *testing.T) {
		b := withWorkspace(t)
		err := b.SaveJourney(ctx, &touchpoint.Journey{ID: "Not Valid", Workspace: "acme", Draft: draft("X")})
		if touchpoint.ErrorField(err) != "id" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("MessagingSettings", func(t *testing.T) {
		b := withWorkspace(t)
		s, err := b.MessagingSettings(ctx, "acme")
		if err != nil || s.Budget.Max != 3 || s.QuietHours.Start != "21:00" {
			t.Fatalf("defaults %+v %v", s, err)
		}
		s.Budget = touchpoint.ContactBudget{Max: 5, Per: touchpoint.Duration(24 * time.Hour)}
		s.AllowedHosts = []string{"crm.internal:8443"}
		if err := b.SetMessagingSettings(ctx, "acme", s); err != nil {
			t.Fatal(err)
		}
		got, err := b.MessagingSettings(ctx, "acme")
		if err != nil || got.Budget.Max != 5 || len(got.AllowedHosts) != 1 {
			t.Fatalf("after set %+v %v", got, err)
		}
		s.Timezone = "Nowhere/City"
		if err := b.SetMessagingSettings(ctx, "acme", s); touchpoint.ErrorField(err) != "timezone" {
			t.Fatalf("bad timezone: %v", err)
		}
	})
}

func runConsent(t *testing.T, withWorkspace func(*testing.T) Backend) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		b := withWorkspace(t)
		c := &touchpoint.Consent{Workspace: "acme", ProfileID: "prf_1", Channel: "email", Status: "unsubscribed", Source: "unsubscribe_link"}
		changed, err := b.SetConsent(ctx, c)
		if err != nil || !changed || c.UpdatedAt.IsZero() {
			t.Fatalf("set: %v %v", changed, err)
		}
		again := *c
		again.UpdatedAt = time.Time{}
		if changed, err := b.SetConsent(ctx, &again); err != nil || changed {
			t.Fatalf("the same answer again changed: %v %v", changed, err)
		}
		if changed, err := b.SetConsent(ctx, &touchpoint.Consent{Workspace: "acme", ProfileID: "prf_1", Channel: "email", Status: "subscribed", Source: "api"}); err != nil || !changed {
			t.Fatalf("resubscribe: %v %v", changed, err)
		}
		b.SetConsent(ctx, &touchpoint.Consent{Workspace: "acme", ProfileID: "prf_1", Channel: "sms", Status: "subscribed", Source: "api"})
		cs, err := b.Consents(ctx, "acme", "prf_1")
		if err != nil || len(cs) != 2 || cs[0].Channel != "email" || cs[0].Status != "subscribed" || cs[1].Channel != "sms" {
			t.Fatalf("consents %+v %v", cs, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		b := withWorkspace(t)
		for field, c := range map[string]touchpoint.Consent{
			"channel": {Workspace: "acme", ProfileID: "p", Channel: "fax", Status: "subscribed", Source: "api"},
			"status":  {Workspace: "acme", ProfileID: "p", Channel: "email", Status: "maybe", Source: "api"},
			"source":  {Workspace: "acme", ProfileID: "p", Channel: "email", Status: "subscribed"},
		} {
			if _, err := b.SetConsent(ctx, &c); touchpoint.ErrorField(err) != field {
				t.Errorf("%s: got %v", field, err)
			}
		}
	})
	t.Run("Suppressions", func(t *testing.T) {
		b := withWorkspace(t)
		s := &touchpoint.Suppression{Workspace: "acme", Kind: "email", Value: " Bounce@Example.COM", Reason: "hard bounce"}
		if err := b.AddSuppression(ctx, s); err != nil || s.Value != "bounce@example.com" {
			t.Fatalf("add %+v %v", s, err)
		}
		if err := b.AddSuppression(ctx, &touchpoint.Suppression{Workspace: "acme", Kind: "phone", Value: "+1 (415) 555-0100"}); err != nil {
			t.Fatal(err)
		}
		list, err := b.Suppressions(ctx, "acme")
		if err != nil || len(list) != 2 || list[1].Value != "+14155550100" {
			t.Fatalf("list %+v %v", list, err)
		}
		if err := b.RemoveSuppression(ctx, "acme", "email", "BOUNCE@example.com"); err != nil {
			t.Fatal(err)
		}
		if err := b.RemoveSuppression(ctx, "acme", "email", "bounce@example.com"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("remove twice: %v", err)
		}
		if err := b.AddSuppression(ctx, &touchpoint.Suppression{Workspace: "acme", Kind: "email", Value: "not an email"}); touchpoint.ErrorField(err) != "value" {
			t.Fatalf("bad address: %v", err)
		}
	})
}
