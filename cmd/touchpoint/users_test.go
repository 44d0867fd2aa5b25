package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
	"github.com/touchpoint-cx/touchpoint/web"
)

// acceptInvite follows an invitation link as a new person would: the form
// creates the account and answers with a session cookie.
func acceptInvite(t *testing.T, link, name, password string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(link, url.Values{"name": {name}, "password": {password}, "confirm_password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == web.CookieName && resp.StatusCode == http.StatusSeeOther {
			return ck.Value
		}
	}
	t.Fatalf("accepting %s answered %d without a session", link, resp.StatusCode)
	return ""
}

// TestPeopleAPI covers users, invitations, roles, admin keys, the overview
// and the debugger through the admin API of the real binary.
func TestPeopleAPI(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	ctx := context.Background()
	c := s.client()

	inv, err := c.Invite(ctx, "Ana@Example.com", touchpoint.RoleAdmin)
	if err != nil || inv.Invitation.Email != "ana@example.com" || !strings.Contains(inv.URL, "/invite/") {
		t.Fatalf("invite = %+v, %v", inv, err)
	}
	if pending, err := c.Invitations(ctx); err != nil || len(pending) != 1 {
		t.Fatalf("pending = %v, %v", pending, err)
	}
	acceptInvite(t, inv.URL, "Ana", "ana's long password")
	users, err := c.Users(ctx)
	if err != nil || len(users) != 2 {
		t.Fatalf("users = %v, %v", users, err)
	}
	var ana, owner *touchpoint.Membership
	for _, u := range users {
		switch u.Email {
		case "ana@example.com":
			ana = u
		case keys.AdminEmail:
			owner = u
		}
	}
	if ana == nil || ana.Role != touchpoint.RoleAdmin || owner == nil || owner.Role != touchpoint.RoleOwner {
		t.Fatalf("members: %+v", users)
	}

	t.Run("LastOwnerStays", func(t *testing.T) {
		if _, err := c.SetUserRole(ctx, owner.UserID, touchpoint.RoleAdmin); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("demote the last owner: %v", err)
		}
		if err := c.RemoveUser(ctx, owner.UserID); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("remove the last owner: %v", err)
		}
	})
	t.Run("RoleChanges", func(t *testing.T) {
		m, err := c.SetUserRole(ctx, ana.UserID, touchpoint.RoleAnalyst)
		if err != nil || m.Role != touchpoint.RoleAnalyst {
			t.Fatalf("set role = %+v, %v", m, err)
		}
		if _, err := c.SetUserRole(ctx, ana.UserID, "boss"); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("unknown role: %v", err)
		}
	})
	t.Run("InvitationsWithdrawn", func(t *testing.T) {
		inv, err := c.Invite(ctx, "bo@example.com", touchpoint.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.RevokeInvitation(ctx, inv.Invitation.ID); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(inv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("a withdrawn invitation's page answered %d", resp.StatusCode)
		}
	})
	t.Run("AdminKeys", func(t *testing.T) {
		k, err := c.CreateKey(ctx, "nightly import")
		if err != nil || !strings.HasPrefix(k.Secret, "tpk_") {
			t.Fatalf("create key = %+v, %v", k, err)
		}
		other := httpapi.NewClient(s.url, k.Secret)
		if _, err := other.Stats(ctx); err != nil {
			t.Fatalf("new key: %v", err)
		}
		if _, err := c.RevokeKey(ctx, k.Key.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Stats(ctx); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
			t.Fatalf("revoked key: %v", err)
		}
		list, err := c.Keys(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("keys = %v, %v", list, err)
		}
	})
	t.Run("RemoveMember", func(t *testing.T) {
		if err := c.RemoveUser(ctx, ana.UserID); err != nil {
			t.Fatal(err)
		}
		if users, _ := c.Users(ctx); len(users) != 1 {
			t.Fatalf("after removing ana: %v", users)
		}
	})
	t.Run("OverviewAndDebugger", func(t *testing.T) {
		s.post("/v1/track", keys.WriteKey, `{"userId":"u1","event":"Signed Up","messageId":"ov-1"}`)
		s.post("/v1/batch", keys.WriteKey, `{"batch":[{"type":"track","userId":"u1","event":"Paid","messageId":"ov-2"},{"type":"track","userId":"u1"}]}`)
		s.caughtUp()
		o, err := c.Overview(ctx, time.Time{}, time.Time{})
		if err != nil || o.Events != 2 || len(o.ByChannel) != 1 || o.ByChannel[0].Key != "server" {
			t.Fatalf("overview = %+v, %v", o, err)
		}
		calls, err := c.Debugger(ctx, 0, "")
		if err != nil || len(calls) != 3 {
			t.Fatalf("debugger = %+v, %v", calls, err)
		}
		if calls[0].Accepted || calls[0].Path != "/v1/batch[1]" || calls[0].Error.Field != "batch[1].event" || !strings.Contains(calls[0].Payload, `"userId":"u1"`) {
			t.Fatalf("newest call: %+v", calls[0])
		}
		if !calls[1].Accepted || calls[1].Event == nil || calls[1].Event.Event != "Paid" {
			t.Fatalf("accepted call: %+v", calls[1])
		}
		newer, err := c.Debugger(ctx, calls[0].Seq, "")
		if err != nil || len(newer) != 0 {
			t.Fatalf("calls after the newest: %v, %v", newer, err)
		}
		rejected, err := c.Debugger(ctx, 0, "rejected")
		if err != nil || len(rejected) != 1 {
			t.Fatalf("rejected calls: %v, %v", rejected, err)
		}
	})
	s.stop()
}
