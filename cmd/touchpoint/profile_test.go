package main

import (
	"context"
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

// TestProfiles drives identity resolution through the real binary: an
// anonymous visitor who logs in on a second device becomes one profile,
// two user ids sharing an email stay two, and a merge can be undone.
func TestProfiles(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	wk := keys.WriteKey
	for _, body := range []string{
		`{"batch":[
			{"type":"page","anonymousId":"laptop-1","name":"Home"},
			{"type":"track","anonymousId":"laptop-1","event":"Product Viewed"},
			{"type":"identify","anonymousId":"laptop-1","userId":"ana","traits":{"email":"Ana@Example.com","plan":"pro"}},
			{"type":"screen","anonymousId":"phone-1","name":"Home"},
			{"type":"track","anonymousId":"phone-1","event":"Order Completed","properties":{"revenue":30}}]}`,
		`{"batch":[
			{"type":"identify","anonymousId":"phone-1","userId":"ana"},
			{"type":"identify","userId":"bob","traits":{"email":"ana@example.com"}},
			{"type":"track","userId":"ana","event":"Survey Responded","properties":{"survey_type":"nps","score":9}}]}`,
	} {
		if code, resp := s.post("/v1/batch", wk, body); code != 200 {
			t.Fatalf("%d %s", code, resp)
		}
	}
	st := s.caughtUp()
	if st.ProfilesTotal != 2 {
		t.Fatalf("profiles_total %d, want 2 (ana, bob)", st.ProfilesTotal)
	}
	c := s.client()
	ctx := context.Background()
	ana, err := c.Profile(ctx, "user_id:ana")
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{"anonymous_id:phone-1", "email:ANA@example.com", ana.ID} {
		p, err := c.Profile(ctx, other)
		if err != nil || p.ID != ana.ID {
			t.Fatalf("%s: %v, %v (want %s)", other, p, err, ana.ID)
		}
	}
	if ana.Computed.Events != 7 || ana.Computed.Orders != 1 || ana.Computed.Revenue != 30 || ana.Computed.LastNPS == nil || *ana.Computed.LastNPS != 9 || string(ana.Traits["plan"]) != `"pro"` {
		t.Fatalf("profile %+v", ana)
	}
	bob, err := c.Profile(ctx, "user_id:bob")
	if err != nil || bob.ID == ana.ID {
		t.Fatalf("bob merged into ana: %v", err)
	}

	timeline, err := c.Timeline(ctx, "user_id:ana", 0)
	if err != nil || len(timeline) != 7 {
		t.Fatalf("timeline %d events, %v; want 7 from the laptop, the phone and ana", len(timeline), err)
	}
	for i := 1; i < len(timeline); i++ {
		if timeline[i].Timestamp.Before(timeline[i-1].Timestamp) {
			t.Fatal("timeline not in time order")
		}
	}
	// Ana by her email identifier, Bob by the email in his traits.
	found, err := c.SearchProfiles(ctx, "ana@exa", 5)
	if err != nil || len(found) != 2 || (found[0].ID != ana.ID && found[1].ID != ana.ID) {
		t.Fatalf("search by email prefix: %v, %v", found, err)
	}
	if found, err := c.SearchProfiles(ctx, "user_id_nobody", 5); err != nil || len(found) != 0 {
		t.Fatalf("search without match: %v, %v", found, err)
	}
	if found, err := c.SearchProfiles(ctx, "pro", 5); err != nil || len(found) != 1 {
		t.Fatalf("search by trait: %v, %v", found, err)
	}

	history, err := c.MergeHistory(ctx, ana.ID)
	merges := history.Merges
	if err != nil || len(merges) != 1 {
		t.Fatalf("merges %v, %v", merges, err)
	}
	// Bob's email is Ana's: the refused merge is on record with its reason.
	if len(history.Rejected) != 1 || !strings.Contains(history.Rejected[0].Reason, "user_id") {
		t.Fatalf("rejected merges %+v", history.Rejected)
	}
	if changes, err := c.TraitHistory(ctx, "user_id:ana", "plan"); err != nil || len(changes) != 1 || string(changes[0].Value) != `"pro"` {
		t.Fatalf("trait history %+v, %v", changes, err)
	}
	acct := `{"type":"group","userId":"ana","groupId":"acme","traits":{"name":"Acme Ltd"}}`
	if code, body := s.post("/v1/group", wk, acct); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	s.caughtUp()
	if a, err := c.Account(ctx, "acme", 0); err != nil || len(a.Members) != 1 || a.Members[0] != ana.ID || string(a.Traits["name"]) != `"Acme Ltd"` {
		t.Fatalf("account %+v, %v", a, err)
	}
	if p, err := c.Profile(ctx, ana.ID); err != nil || len(p.Accounts) != 1 || p.Accounts[0].ID != "acme" {
		t.Fatalf("profile accounts %+v, %v", p, err)
	}
	if _, err := c.Unmerge(ctx, ana.ID, ""); err != nil {
		t.Fatal(err)
	}
	phone, err := c.Profile(ctx, "anonymous_id:phone-1")
	if err != nil || phone.ID == ana.ID || phone.Computed.Orders != 1 {
		t.Fatalf("after unmerge the phone profile is %+v, %v", phone, err)
	}
	if after, err := c.Timeline(ctx, ana.ID, 0); err != nil || len(after) != 6 {
		t.Fatalf("after unmerge ana's timeline has %d events, %v; want 6 (hers and the group call) without the phone's", len(after), err)
	}
	if _, err := c.Unmerge(ctx, ana.ID, merges[0].ID); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
		t.Fatalf("second unmerge: %v", err)
	}
	if _, err := c.Profile(ctx, "user_id:nobody"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		t.Fatalf("unknown profile: %v", err)
	}
	if _, err := c.Profile(ctx, "Bad Kind:x"); touchpoint.ErrorCode(err) != touchpoint.EINVALID || !strings.Contains(err.Error(), "identifier") {
		t.Fatalf("bad identifier: %v", err)
	}
	s.stop()
}

// TestIdentityRules changes a workspace's merge rules through the API and
// sees them applied to the next events.
func TestIdentityRules(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	c := s.client()
	ctx := context.Background()
	rules, err := c.IdentityRules(ctx)
	if err != nil || len(rules.Unique) != 1 || rules.Unique[0] != "user_id" {
		t.Fatalf("default rules %+v, %v", rules, err)
	}
	// Emails become unique: two emails never merge into one customer.
	rules.Unique = append(rules.Unique, "email")
	rules.Blocklist = append(rules.Blocklist, "shared-device")
	if err := c.SetIdentityRules(ctx, rules); err != nil {
		t.Fatal(err)
	}
	if code, body := s.post("/v1/batch", keys.WriteKey, `{"batch":[
		{"type":"identify","anonymousId":"kiosk","traits":{"email":"a@example.com"}},
		{"type":"identify","anonymousId":"kiosk","traits":{"email":"b@example.com"}},
		{"type":"track","anonymousId":"shared-device","userId":"c","event":"x"}]}`); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	s.caughtUp()
	a, err := c.Profile(ctx, "email:a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Profile(ctx, "email:b@example.com")
	if err != nil || a.ID == b.ID {
		t.Fatalf("unique emails merged: %v", err)
	}
	if _, err := c.Profile(ctx, "anonymous_id:shared-device"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		t.Fatalf("blocklisted value kept: %v", err)
	}
	bad := rules
	bad.DefaultLimit = 0
	if err := c.SetIdentityRules(ctx, bad); touchpoint.ErrorCode(err) != touchpoint.EINVALID || !strings.Contains(err.Error(), "default_limit") {
		t.Fatalf("bad rules: %v", err)
	}
	s.stop()
}
