package statetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// UserBackend is what a state store implements for people and sessions.
type UserBackend interface {
	touchpoint.WorkspaceService
	touchpoint.APIKeyService
	touchpoint.UserService
	touchpoint.SessionService
}

// RunUsers runs the suite for users, memberships, invitations, sessions and
// admin key management. open returns a new, empty backend reading clock.
func RunUsers(t *testing.T, open func(t *testing.T, clock *Clock) UserBackend) {
	ctx := context.Background()
	start := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	setup := func(t *testing.T) (UserBackend, *Clock, *touchpoint.User) {
		clock := &Clock{T: start}
		b := open(t, clock)
		for _, w := range []*touchpoint.Workspace{{ID: "acme", Name: "Acme"}, {ID: "beta", Name: "Beta"}} {
			if err := b.CreateWorkspace(ctx, w); err != nil {
				t.Fatal(err)
			}
		}
		u := &touchpoint.User{Email: " Ana@Example.com ", Name: "Ana"}
		if err := b.CreateUser(ctx, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		return b, clock, u
	}

	t.Run("User", func(t *testing.T) {
		t.Run("OK", func(t *testing.T) {
			b, _, u := setup(t)
			if u.ID == "" || u.Email != "ana@example.com" || u.CreatedAt.IsZero() {
				t.Fatalf("user not filled in: %+v", u)
			}
			got, err := b.AuthenticateUser(ctx, "ANA@example.com", "correct horse battery")
			if err != nil || got.ID != u.ID || got.Name != "Ana" {
				t.Fatalf("authenticate = %+v, %v", got, err)
			}
			byEmail, err := b.FindUserByEmail(ctx, "ana@example.com")
			if err != nil || byEmail.ID != u.ID {
				t.Fatalf("by email = %+v, %v", byEmail, err)
			}
		})
		t.Run("ErrUnauthorized", func(t *testing.T) {
			b, _, _ := setup(t)
			for _, c := range [][2]string{{"ana@example.com", "wrong password!"}, {"nobody@example.com", "correct horse battery"}, {"not an email", "x"}} {
				if _, err := b.AuthenticateUser(ctx, c[0], c[1]); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
					t.Fatalf("%v: got %v", c, err)
				}
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			b, _, _ := setup(t)
			err := b.CreateUser(ctx, &touchpoint.User{Email: "ana@EXAMPLE.com"}, "another long password")
			if touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			b, _, _ := setup(t)
			for _, c := range []struct{ email, pw, field string }{{"bad", "long enough password", "email"}, {"x@example.com", "short", "password"}, {"x@example.com", "aaaaaaaaaaaa", "password"}} {
				err := b.CreateUser(ctx, &touchpoint.User{Email: c.email}, c.pw)
				if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != c.field {
					t.Fatalf("%+v: got %v", c, err)
				}
			}
		})
		t.Run("SetPassword", func(t *testing.T) {
			b, _, u := setup(t)
			if err := b.SetPassword(ctx, u.ID, "a brand new password"); err != nil {
				t.Fatal(err)
			}
			if _, err := b.AuthenticateUser(ctx, u.Email, "correct horse battery"); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
				t.Fatalf("old password still works: %v", err)
			}
			if _, err := b.AuthenticateUser(ctx, u.Email, "a brand new password"); err != nil {
				t.Fatalf("new password: %v", err)
			}
		})
	})

	t.Run("Membership", func(t *testing.T) {
		t.Run("OK", func(t *testing.T) {
			b, _, u := setup(t)
			if _, err := b.SetMembership(ctx, "acme", u.ID, touchpoint.RoleOwner); err != nil {
				t.Fatal(err)
			}
			m, err := b.SetMembership(ctx, "beta", u.ID, touchpoint.RoleViewer)
			if err != nil || m.Role != touchpoint.RoleViewer || m.Email != u.Email {
				t.Fatalf("membership = %+v, %v", m, err)
			}
			all, err := b.Memberships(ctx, touchpoint.MembershipFilter{UserID: &u.ID})
			if err != nil || len(all) != 2 || all[0].Workspace != "acme" || all[1].Role != touchpoint.RoleViewer {
				t.Fatalf("memberships = %v, %v", all, err)
			}
			if err := b.RemoveMembership(ctx, "beta", u.ID); err != nil {
				t.Fatal(err)
			}
			ws := "beta"
			if left, _ := b.Memberships(ctx, touchpoint.MembershipFilter{Workspace: &ws}); len(left) != 0 {
				t.Fatalf("removed member listed: %v", left)
			}
		})
		t.Run("ErrLastOwner", func(t *testing.T) {
			b, _, u := setup(t)
			if _, err := b.SetMembership(ctx, "acme", u.ID, touchpoint.RoleOwner); err != nil {
				t.Fatal(err)
			}
			if _, err := b.SetMembership(ctx, "acme", u.ID, touchpoint.RoleAdmin); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("demote last owner: %v", err)
			}
			if err := b.RemoveMembership(ctx, "acme", u.ID); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("remove last owner: %v", err)
			}
			bo := &touchpoint.User{Email: "bo@example.com"}
			if err := b.CreateUser(ctx, bo, "another long password"); err != nil {
				t.Fatal(err)
			}
			if _, err := b.SetMembership(ctx, "acme", bo.ID, touchpoint.RoleOwner); err != nil {
				t.Fatal(err)
			}
			if _, err := b.SetMembership(ctx, "acme", u.ID, touchpoint.RoleAdmin); err != nil {
				t.Fatalf("demote with another owner: %v", err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			b, _, u := setup(t)
			if _, err := b.SetMembership(ctx, "nope", u.ID, touchpoint.RoleViewer); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("unknown workspace: %v", err)
			}
			if _, err := b.SetMembership(ctx, "acme", "usr_nope", touchpoint.RoleViewer); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("unknown user: %v", err)
			}
			if err := b.RemoveMembership(ctx, "acme", u.ID); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("remove non-member: %v", err)
			}
			if _, err := b.SetMembership(ctx, "acme", u.ID, "boss"); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
				t.Fatalf("unknown role: %v", err)
			}
		})
	})

	t.Run("Invitation", func(t *testing.T) {
		t.Run("OK", func(t *testing.T) {
			b, _, u := setup(t)
			inv := &touchpoint.Invitation{Workspace: "acme", Email: "Bo@Example.com", Role: touchpoint.RoleAnalyst, InvitedBy: "user:ana@example.com"}
			token, err := b.CreateInvitation(ctx, inv)
			if err != nil {
				t.Fatal(err)
			}
			if len(token) < 40 || inv.ID == "" || inv.Email != "bo@example.com" || !inv.ExpiresAt.Equal(start.Add(touchpoint.InvitationLifetime)) {
				t.Fatalf("invitation %+v token %q", inv, token)
			}
			pending, err := b.Invitations(ctx, "acme")
			if err != nil || len(pending) != 1 || pending[0].ID != inv.ID {
				t.Fatalf("pending = %v, %v", pending, err)
			}
			found, err := b.FindInvitation(ctx, token)
			if err != nil || found.ID != inv.ID || found.Role != touchpoint.RoleAnalyst {
				t.Fatalf("find = %+v, %v", found, err)
			}
			m, err := b.AcceptInvitation(ctx, token, u.ID)
			if err != nil || m.Role != touchpoint.RoleAnalyst || m.Workspace != "acme" {
				t.Fatalf("accept = %+v, %v", m, err)
			}
			if _, err := b.AcceptInvitation(ctx, token, u.ID); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("accept twice: %v", err)
			}
			if pending, _ := b.Invitations(ctx, "acme"); len(pending) != 0 {
				t.Fatalf("accepted invitation still pending: %v", pending)
			}
		})
		t.Run("ErrExpired", func(t *testing.T) {
			b, clock, u := setup(t)
			token, err := b.CreateInvitation(ctx, &touchpoint.Invitation{Workspace: "acme", Email: "bo@example.com", Role: touchpoint.RoleViewer, InvitedBy: "x"})
			if err != nil {
				t.Fatal(err)
			}
			clock.T = clock.T.Add(touchpoint.InvitationLifetime)
			if _, err := b.AcceptInvitation(ctx, token, u.ID); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT || !strings.Contains(err.Error(), "expired") {
				t.Fatalf("accept expired: %v", err)
			}
		})
		t.Run("ErrRevoked", func(t *testing.T) {
			b, _, u := setup(t)
			inv := &touchpoint.Invitation{Workspace: "acme", Email: "bo@example.com", Role: touchpoint.RoleViewer, InvitedBy: "x"}
			token, err := b.CreateInvitation(ctx, inv)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.RevokeInvitation(ctx, "beta", inv.ID); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("revoke from another workspace: %v", err)
			}
			if err := b.RevokeInvitation(ctx, "acme", inv.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := b.AcceptInvitation(ctx, token, u.ID); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("accept revoked: %v", err)
			}
			if _, err := b.FindInvitation(ctx, "tpi_nope"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("unknown token: %v", err)
			}
		})
		t.Run("NeverLowersARole", func(t *testing.T) {
			b, _, u := setup(t)
			if _, err := b.SetMembership(ctx, "acme", u.ID, touchpoint.RoleOwner); err != nil {
				t.Fatal(err)
			}
			token, _ := b.CreateInvitation(ctx, &touchpoint.Invitation{Workspace: "acme", Email: u.Email, Role: touchpoint.RoleViewer, InvitedBy: "x"})
			m, err := b.AcceptInvitation(ctx, token, u.ID)
			if err != nil || m.Role != touchpoint.RoleOwner {
				t.Fatalf("accept = %+v, %v", m, err)
			}
		})
	})

	t.Run("Session", func(t *testing.T) {
		t.Run("OK", func(t *testing.T) {
			b, clock, u := setup(t)
			if _, err := b.SetMembership(ctx, "acme", u.ID, touchpoint.RoleAdmin); err != nil {
				t.Fatal(err)
			}
			s := &touchpoint.Session{UserID: u.ID, Workspace: "acme"}
			token, err := b.CreateSession(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			if len(token) < 40 || s.ID == "" || len(s.CSRFToken) < 40 || !s.ExpiresAt.Equal(start.Add(touchpoint.SessionMaxAge)) {
				t.Fatalf("session %+v token %q", s, token)
			}
			clock.T = clock.T.Add(time.Hour)
			got, err := b.AuthenticateSession(ctx, token)
			if err != nil || got.ID != s.ID || got.Role != touchpoint.RoleAdmin || got.User.Email != u.Email || got.CSRFToken != s.CSRFToken {
				t.Fatalf("authenticate = %+v, %v", got, err)
			}
			if !got.LastSeen.Equal(clock.T) {
				t.Fatalf("last seen %v, want %v", got.LastSeen, clock.T)
			}
			if err := b.SetSessionWorkspace(ctx, s.ID, "beta"); err != nil {
				t.Fatal(err)
			}
			if got, _ := b.AuthenticateSession(ctx, token); got.Workspace != "beta" || got.Role != "" {
				t.Fatalf("after switch to a workspace without membership: %+v", got)
			}
		})
		t.Run("ErrIdle", func(t *testing.T) {
			b, clock, u := setup(t)
			token, err := b.CreateSession(ctx, &touchpoint.Session{UserID: u.ID, Workspace: "acme"})
			if err != nil {
				t.Fatal(err)
			}
			clock.T = clock.T.Add(touchpoint.SessionIdleTimeout)
			if _, err := b.AuthenticateSession(ctx, token); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
				t.Fatalf("idle session: %v", err)
			}
		})
		t.Run("ErrMaxAge", func(t *testing.T) {
			b, clock, u := setup(t)
			token, err := b.CreateSession(ctx, &touchpoint.Session{UserID: u.ID, Workspace: "acme"})
			if err != nil {
				t.Fatal(err)
			}
			for clock.T.Before(start.Add(touchpoint.SessionMaxAge)) {
				if _, err := b.AuthenticateSession(ctx, token); err != nil {
					t.Fatalf("at %v: %v", clock.T, err)
				}
				clock.T = clock.T.Add(touchpoint.SessionIdleTimeout / 2)
			}
			if _, err := b.AuthenticateSession(ctx, token); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
				t.Fatalf("session past its max age: %v", err)
			}
		})
		t.Run("Delete", func(t *testing.T) {
			b, _, u := setup(t)
			keep := &touchpoint.Session{UserID: u.ID, Workspace: "acme"}
			keepToken, _ := b.CreateSession(ctx, keep)
			other, _ := b.CreateSession(ctx, &touchpoint.Session{UserID: u.ID, Workspace: "acme"})
			if err := b.DeleteUserSessions(ctx, u.ID, keep.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := b.AuthenticateSession(ctx, other); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
				t.Fatalf("other session still live: %v", err)
			}
			if _, err := b.AuthenticateSession(ctx, keepToken); err != nil {
				t.Fatalf("kept session: %v", err)
			}
			if err := b.DeleteSession(ctx, keep.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := b.AuthenticateSession(ctx, keepToken); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
				t.Fatalf("deleted session still live: %v", err)
			}
		})
	})

	t.Run("APIKeyManagement", func(t *testing.T) {
		b, _, _ := setup(t)
		k := &touchpoint.APIKey{Workspace: "acme", Name: "ci"}
		secret, err := b.CreateAPIKey(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := b.FindAPIKeys(ctx, "acme")
		if err != nil || len(keys) != 1 || keys[0].ID != k.ID || keys[0].RevokedAt != nil {
			t.Fatalf("keys = %v, %v", keys, err)
		}
		if _, err := b.RevokeAPIKey(ctx, "beta", k.ID); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("revoke from another workspace: %v", err)
		}
		r, err := b.RevokeAPIKey(ctx, "acme", k.ID)
		if err != nil || r.RevokedAt == nil {
			t.Fatalf("revoke = %+v, %v", r, err)
		}
		if _, err := b.AuthenticateAPIKey(ctx, secret); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
			t.Fatalf("revoked key works: %v", err)
		}
		w, err := b.RenameWorkspace(ctx, "acme", "  Acme Shop ")
		if err != nil || w.Name != "Acme Shop" {
			t.Fatalf("rename = %+v, %v", w, err)
		}
		if _, err := b.RenameWorkspace(ctx, "acme", ""); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("rename to nothing: %v", err)
		}
	})
}
