// Package statetest is the conformance suite of Touchpoint's state store.
// Every backend (SQLite embedded, PostgreSQL in a cluster) runs it from its
// own tests, so they behave the same to every caller.
package statetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Backend is what a state store implements.
type Backend interface {
	touchpoint.WorkspaceService
	touchpoint.SourceService
	touchpoint.APIKeyService
	touchpoint.JourneyService
	touchpoint.ConsentService
	touchpoint.MessagingSettingsService
}

// Run runs the suite. open returns a new, empty backend for each subtest.
func Run(t *testing.T, open func(t *testing.T) Backend) {
	ctx := context.Background()
	withWorkspace := func(t *testing.T) Backend {
		b := open(t)
		if err := b.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "acme", Name: "Acme"}); err != nil {
			t.Fatal(err)
		}
		return b
	}

	t.Run("Workspace", func(t *testing.T) {
		t.Run("OK", func(t *testing.T) {
			b := open(t)
			w := &touchpoint.Workspace{ID: "acme", Name: "Acme"}
			if err := b.CreateWorkspace(ctx, w); err != nil {
				t.Fatal(err)
			}
			if w.CreatedAt.IsZero() {
				t.Fatal("CreatedAt not set")
			}
			got, err := b.FindWorkspace(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Acme" || !got.CreatedAt.Equal(w.CreatedAt) {
				t.Fatalf("got %+v, want %+v", got, w)
			}
			if err := b.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "beta", Name: "Beta"}); err != nil {
				t.Fatal(err)
			}
			all, err := b.ListWorkspaces(ctx)
			if err != nil || len(all) != 2 || all[0].ID != "acme" || all[1].ID != "beta" {
				t.Fatalf("list = %v, %v", all, err)
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			b := withWorkspace(t)
			err := b.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "acme", Name: "Again"})
			if touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			b := open(t)
			for _, w := range []touchpoint.Workspace{{ID: "Not Valid", Name: "x"}, {ID: "", Name: "x"}, {ID: "ok", Name: ""}} {
				err := b.CreateWorkspace(ctx, &w)
				if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) == "" {
					t.Fatalf("%+v: got %v", w, err)
				}
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := open(t).FindWorkspace(ctx, "nope")
			if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("got %v", err)
			}
		})
	})

	t.Run("Source", func(t *testing.T) {
		t.Run("OK", func(t *testing.T) {
			b := withWorkspace(t)
			s := &touchpoint.Source{Workspace: "acme", Name: "Web", Type: "web"}
			if err := b.CreateSource(ctx, s); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(s.ID, "src_") || !strings.HasPrefix(s.WriteKey, "wk_") || len(s.WriteKey) < 30 || s.CreatedAt.IsZero() {
				t.Fatalf("source not filled in: %+v", s)
			}
			other := &touchpoint.Source{Workspace: "acme", Name: "iOS", Type: "ios"}
			if err := b.CreateSource(ctx, other); err != nil {
				t.Fatal(err)
			}
			if other.WriteKey == s.WriteKey || other.ID == s.ID {
				t.Fatal("keys or ids repeat")
			}
			ws := "acme"
			all, err := b.FindSources(ctx, touchpoint.SourceFilter{Workspace: &ws})
			if err != nil || len(all) != 2 || all[0].ID != s.ID {
				t.Fatalf("find = %v, %v", all, err)
			}
			got, err := b.FindSourceByWriteKey(ctx, s.WriteKey)
			if err != nil || got.ID != s.ID || got.Name != "Web" || got.Type != "web" || got.Workspace != "acme" || !got.CreatedAt.Equal(s.CreatedAt) {
				t.Fatalf("by key = %+v, %v", got, err)
			}
			byID, err := b.FindSources(ctx, touchpoint.SourceFilter{ID: &other.ID})
			if err != nil || len(byID) != 1 || byID[0].Name != "iOS" {
				t.Fatalf("by id = %v, %v", byID, err)
			}
		})
		t.Run("Revoked", func(t *testing.T) {
			b := withWorkspace(t)
			s := &touchpoint.Source{Workspace: "acme", Name: "Web", Type: "web"}
			if err := b.CreateSource(ctx, s); err != nil {
				t.Fatal(err)
			}
			r, err := b.RevokeSource(ctx, "acme", s.ID)
			if err != nil || !r.Revoked() {
				t.Fatalf("revoke = %+v, %v", r, err)
			}
			again, err := b.RevokeSource(ctx, "acme", s.ID)
			if err != nil || !again.RevokedAt.Equal(*r.RevokedAt) {
				t.Fatalf("revoking twice changed it: %+v, %v", again, err)
			}
			ws := "acme"
			live, err := b.FindSources(ctx, touchpoint.SourceFilter{Workspace: &ws})
			if err != nil || len(live) != 0 {
				t.Fatalf("revoked source listed: %v, %v", live, err)
			}
			all, err := b.FindSources(ctx, touchpoint.SourceFilter{Workspace: &ws, IncludeRevoked: true})
			if err != nil || len(all) != 1 {
				t.Fatalf("revoked source hidden with IncludeRevoked: %v, %v", all, err)
			}
			got, err := b.FindSourceByWriteKey(ctx, s.WriteKey)
			if err != nil || !got.Revoked() {
				t.Fatalf("by key after revoke = %+v, %v", got, err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			b := withWorkspace(t)
			for _, s := range []touchpoint.Source{{Workspace: "acme", Name: "", Type: "web"}, {Workspace: "acme", Name: "x", Type: "fax"}, {Name: "x", Type: "web"}} {
				err := b.CreateSource(ctx, &s)
				if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) == "" {
					t.Fatalf("%+v: got %v", s, err)
				}
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			b := withWorkspace(t)
			if err := b.CreateSource(ctx, &touchpoint.Source{Workspace: "nope", Name: "x", Type: "web"}); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("unknown workspace: %v", err)
			}
			if _, err := b.FindSourceByWriteKey(ctx, "wk_nope"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("unknown key: %v", err)
			}
			if _, err := b.RevokeSource(ctx, "acme", "src_nope"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("revoke unknown: %v", err)
			}
			s := &touchpoint.Source{Workspace: "acme", Name: "x", Type: "web"}
			if err := b.CreateSource(ctx, s); err != nil {
				t.Fatal(err)
			}
			if err := b.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "other", Name: "Other"}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.RevokeSource(ctx, "other", s.ID); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("revoke from another workspace: %v", err)
			}
		})
	})

	t.Run("Journey", func(t *testing.T) { runJourneys(t, withWorkspace) })
	t.Run("Consent", func(t *testing.T) { runConsent(t, withWorkspace) })

	t.Run("APIKey", func(t *testing.T) {
		t.Run("OK", func(t *testing.T) {
			b := withWorkspace(t)
			k := &touchpoint.APIKey{Workspace: "acme", Name: "admin"}
			secret, err := b.CreateAPIKey(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			if len(secret) < 40 || k.ID == "" || k.CreatedAt.IsZero() {
				t.Fatalf("key %+v secret %q", k, secret)
			}
			got, err := b.AuthenticateAPIKey(ctx, secret)
			if err != nil || got.ID != k.ID || got.Workspace != "acme" || got.Name != "admin" {
				t.Fatalf("authenticate = %+v, %v", got, err)
			}
		})
		t.Run("ErrUnauthorized", func(t *testing.T) {
			b := withWorkspace(t)
			secret, err := b.CreateAPIKey(ctx, &touchpoint.APIKey{Workspace: "acme", Name: "admin"})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"", "tpk_wrong", secret + "x", strings.ToUpper(secret)} {
				if _, err := b.AuthenticateAPIKey(ctx, s); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
					t.Fatalf("%q: got %v", s, err)
				}
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := open(t).CreateAPIKey(ctx, &touchpoint.APIKey{Workspace: "nope", Name: "admin"})
			if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("got %v", err)
			}
		})
	})
}

// Clock is a settable clock for backends under test.
type Clock struct{ T time.Time }

// Now returns the set time.
func (c *Clock) Now() time.Time { return c.T }
