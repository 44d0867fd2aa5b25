package touchpoint_test

import (
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

func TestNormalizeIdentifier(t *testing.T) {
	r := touchpoint.DefaultIdentityRules()
	for _, tt := range []struct {
		kind, in, want string
		ok             bool
	}{
		{touchpoint.KindEmail, "  Ana.Silva@Example.COM ", "ana.silva@example.com", true},
		{touchpoint.KindEmail, "test@test.com", "", false},
		{touchpoint.KindEmail, "TEST@TEST.COM", "", false},
		{touchpoint.KindEmail, "not-an-email", "", false},
		{touchpoint.KindEmail, "a@localhost", "", false},
		{touchpoint.KindPhone, "+84 90 123 45 67", "+84901234567", true},
		{touchpoint.KindPhone, "(415) 555-2671", "+14155552671", true},
		{touchpoint.KindPhone, "+66 81 234 5678", "+66812345678", true},
		{touchpoint.KindPhone, "12", "", false},
		{touchpoint.KindPhone, "null", "", false},
		{touchpoint.KindUserID, "42", "42", true},
		{touchpoint.KindUserID, " 0 ", "", false},
		{touchpoint.KindUserID, "undefined", "", false},
		{touchpoint.KindAnonymousID, "Anonymous", "", false},
		{touchpoint.KindAnonymousID, "00000000-0000-0000-0000-000000000000", "", false},
		{"zendesk_id", "123456", "123456", true},
	} {
		got, err := r.Normalize(touchpoint.Identifier{Kind: tt.kind, Value: tt.in})
		if (err == nil) != tt.ok || (tt.ok && got.Value != tt.want) {
			t.Errorf("%s %q: got %q, %v; want %q ok=%v", tt.kind, tt.in, got.Value, err, tt.want, tt.ok)
		}
	}
}

func TestEventIdentifiers(t *testing.T) {
	r := touchpoint.DefaultIdentityRules()
	ev := &touchpoint.Event{
		Type: touchpoint.TypeIdentify, UserID: "u1", AnonymousID: "null",
		Traits:  []byte(`{"email":"Ana@Example.com","phone":"+44 20 7946 0958","name":"Ana"}`),
		Context: []byte(`{"externalIds":[{"id":"998877","type":"Zendesk_ID","collection":"users","encoding":"none"},{"id":7,"type":"user_id"}]}`),
	}
	ids, rejected := touchpoint.EventIdentifiers(ev, r)
	want := []string{"user_id:u1", "email:ana@example.com", "phone:+442079460958", "zendesk_id:998877"}
	if len(ids) != len(want) {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	for i := range want {
		if ids[i].String() != want[i] {
			t.Fatalf("ids %v, want %v", ids, want)
		}
	}
	if len(rejected) != 1 || rejected[0].Identifier.Kind != touchpoint.KindAnonymousID {
		t.Fatalf("rejected %v", rejected)
	}
	// A group call's traits describe the account, not the person.
	g := &touchpoint.Event{Type: touchpoint.TypeGroup, UserID: "u1", GroupID: "acct", Traits: []byte(`{"email":"billing@acme.example"}`)}
	if ids, _ := touchpoint.EventIdentifiers(g, r); len(ids) != 1 {
		t.Fatalf("group ids %v", ids)
	}
}

func TestParseIdentifier(t *testing.T) {
	id, err := touchpoint.ParseIdentifier("email:a@b.com")
	if err != nil || id.Kind != "email" || id.Value != "a@b.com" {
		t.Fatalf("%v %v", id, err)
	}
	for _, bad := range []string{"a@b.com", ":x", "Email:x", "user_id:"} {
		if _, err := touchpoint.ParseIdentifier(bad); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}

func TestIdentityRulesValidate(t *testing.T) {
	r := touchpoint.DefaultIdentityRules()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	r.DefaultRegion = "XX"
	if touchpoint.ErrorField(r.Validate()) != "default_region" {
		t.Fatal("bad region accepted")
	}
	r = touchpoint.DefaultIdentityRules()
	r.Limits["email"] = 0
	if touchpoint.ErrorField(r.Validate()) != "limits.email" {
		t.Fatal("bad limit accepted")
	}
}
