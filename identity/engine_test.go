package identity_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/identity"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/sqlite"
)

type bundle struct {
	db    *sqlite.DB
	rules touchpoint.IdentityRules
	seq   uint64
	n     int
}

func setup(t *testing.T) (*identity.Engine, *bundle) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "state.db"), touchpoint.FixedClock(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "default", Name: "Default"}); err != nil {
		t.Fatal(err)
	}
	b := &bundle{db: db, rules: touchpoint.DefaultIdentityRules()}
	e := identity.NewEngine(db, func(string) touchpoint.IdentityRules { return b.rules }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return e, b
}

var t0 = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)

// ev builds an event; minute orders them in time.
func (b *bundle) ev(typ touchpoint.EventType, user, anon string, minute int, fill func(*touchpoint.Event)) touchpoint.Event {
	b.n++
	e := touchpoint.Event{ID: fmt.Sprintf("e%d", b.n), Workspace: "default", Type: typ, UserID: user, AnonymousID: anon, Channel: "web",
		Timestamp: t0.Add(time.Duration(minute) * time.Minute), ReceivedAt: t0.Add(time.Duration(minute) * time.Minute)}
	if typ == touchpoint.TypeTrack && e.Event == "" {
		e.Event = "Page Viewed"
	}
	if fill != nil {
		fill(&e)
	}
	return e
}

func (b *bundle) logger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func (b *bundle) apply(t *testing.T, e *identity.Engine, events ...touchpoint.Event) {
	t.Helper()
	b.seq++
	if err := e.Apply(context.Background(), tplog.Batch{Events: events, LastSequence: b.seq}); err != nil {
		t.Fatal(err)
	}
}

func (b *bundle) profile(t *testing.T, s string) *touchpoint.Profile {
	t.Helper()
	id, err := touchpoint.ParseIdentifier(s)
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.db.FindProfile(context.Background(), "default", id)
	if err != nil {
		t.Fatalf("profile %s: %v", s, err)
	}
	return p
}

func has(p *touchpoint.Profile, ids ...string) bool {
	for _, want := range ids {
		found := false
		for _, id := range p.Identifiers {
			found = found || id.String() == want
		}
		if !found {
			return false
		}
	}
	return true
}

func traits(kv string) func(*touchpoint.Event) {
	return func(e *touchpoint.Event) { e.Traits = json.RawMessage(kv) }
}

func TestAnonymousToKnownOnTwoDevices(t *testing.T) {
	e, b := setup(t)
	b.apply(t, e,
		b.ev(touchpoint.TypePage, "", "laptop", 0, nil),
		b.ev(touchpoint.TypeTrack, "", "laptop", 1, nil),
		b.ev(touchpoint.TypeIdentify, "u1", "laptop", 2, traits(`{"email":"Ana@Example.com","plan":"free"}`)),
	)
	// Later, on a phone: anonymous first, then logs in.
	b.apply(t, e,
		b.ev(touchpoint.TypeScreen, "", "phone", 60, nil),
		b.ev(touchpoint.TypeTrack, "", "phone", 61, func(e *touchpoint.Event) { e.Channel = "app" }),
	)
	b.apply(t, e, b.ev(touchpoint.TypeIdentify, "u1", "phone", 62, nil))

	p := b.profile(t, "user_id:u1")
	if !has(p, "user_id:u1", "anonymous_id:laptop", "anonymous_id:phone", "email:ana@example.com") {
		t.Fatalf("identifiers %v", p.Identifiers)
	}
	if other := b.profile(t, "anonymous_id:phone"); other.ID != p.ID {
		t.Fatalf("phone resolves to %s, user to %s", other.ID, p.ID)
	}
	if p.Computed.Events != 6 || p.Computed.EventsByChannel["app"] != 1 || !p.Computed.FirstSeen.Equal(t0) {
		t.Fatalf("computed %+v", p.Computed)
	}
	if len(p.MergedFrom) != 1 {
		t.Fatalf("want the phone's anonymous profile merged in, got %v", p.MergedFrom)
	}
	if string(p.Traits["plan"]) != `"free"` {
		t.Fatalf("traits %v", p.Traits)
	}
}

func TestTwoUserIDsSharingAnEmailStayApart(t *testing.T) {
	e, b := setup(t)
	b.apply(t, e,
		b.ev(touchpoint.TypeIdentify, "u1", "", 0, traits(`{"email":"family@example.com"}`)),
		b.ev(touchpoint.TypeIdentify, "u2", "", 1, traits(`{"email":"family@example.com"}`)),
	)
	p1, p2 := b.profile(t, "user_id:u1"), b.profile(t, "user_id:u2")
	if p1.ID == p2.ID {
		t.Fatal("two user ids merged through a shared email")
	}
	if b.profile(t, "email:family@example.com").ID != p1.ID {
		t.Fatal("the email should stay with the first profile")
	}
	var n int
	if err := sqliteCount(b, "SELECT count(*) FROM merge_rejections WHERE reason LIKE '%user_id%'", &n); err != nil || n != 1 {
		t.Fatalf("rejections %d, %v", n, err)
	}
}

func TestJunkIdentifiersNeverLink(t *testing.T) {
	e, b := setup(t)
	b.apply(t, e,
		b.ev(touchpoint.TypeIdentify, "u1", "undefined", 0, traits(`{"email":"test@test.com","phone":"null"}`)),
		b.ev(touchpoint.TypeIdentify, "u2", "undefined", 1, traits(`{"email":"TEST@test.com"}`)),
		b.ev(touchpoint.TypeTrack, "", "0", 2, nil),
	)
	p1, p2 := b.profile(t, "user_id:u1"), b.profile(t, "user_id:u2")
	if p1.ID == p2.ID || len(p1.Identifiers) != 1 || len(p2.Identifiers) != 1 {
		t.Fatalf("junk linked profiles: %v / %v", p1.Identifiers, p2.Identifiers)
	}
	if _, err := b.db.FindProfile(context.Background(), "default", touchpoint.Identifier{Kind: "anonymous_id", Value: "undefined"}); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		t.Fatalf("junk identifier stored: %v", err)
	}
}

func TestMergeThenUnmerge(t *testing.T) {
	e, b := setup(t)
	b.apply(t, e,
		b.ev(touchpoint.TypeTrack, "", "a1", 0, func(e *touchpoint.Event) { e.Event = "Product Viewed" }),
		b.ev(touchpoint.TypeTrack, "", "a1", 1, func(e *touchpoint.Event) { e.Event = "Product Viewed" }),
		b.ev(touchpoint.TypeTrack, "u1", "", 2, func(e *touchpoint.Event) {
			e.Event, e.Properties = "Order Completed", json.RawMessage(`{"revenue":40}`)
		}),
	)
	anonBefore := b.profile(t, "anonymous_id:a1")
	b.apply(t, e, b.ev(touchpoint.TypeIdentify, "u1", "a1", 3, traits(`{"name":"Ana"}`)))
	merged := b.profile(t, "user_id:u1")
	if b.profile(t, "anonymous_id:a1").ID != merged.ID || merged.Computed.Events != 4 || merged.Computed.Revenue != 40 {
		t.Fatalf("after merge: %+v", merged)
	}
	merges, err := b.db.Merges(context.Background(), "default", merged.ID)
	if err != nil || len(merges) != 1 || merges[0].Loser != anonBefore.ID || merges[0].EventID == "" || len(merges[0].Identifiers) != 1 {
		t.Fatalf("merges %+v, %v", merges, err)
	}

	if _, err := b.db.Unmerge(context.Background(), "default", merges[0].ID, "admin"); err != nil {
		t.Fatal(err)
	}
	user, anon := b.profile(t, "user_id:u1"), b.profile(t, "anonymous_id:a1")
	if user.ID == anon.ID || anon.ID != anonBefore.ID {
		t.Fatal("unmerge did not separate the profiles")
	}
	if anon.Computed.Events != 2 || anon.Computed.EventsByName["Product Viewed"] != 2 || user.Computed.Orders != 1 {
		t.Fatalf("histories not restored: anon %+v user %+v", anon.Computed, user.Computed)
	}
	if _, err := b.db.Unmerge(context.Background(), "default", merges[0].ID, "admin"); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
		t.Fatalf("second unmerge: %v", err)
	}
	// The same evidence again does not undo the unmerge.
	b.apply(t, e, b.ev(touchpoint.TypeTrack, "u1", "a1", 4, nil))
	if b.profile(t, "anonymous_id:a1").ID == b.profile(t, "user_id:u1").ID {
		t.Fatal("an undone merge was merged again")
	}
}

func TestOutOfOrderEvents(t *testing.T) {
	e, b := setup(t)
	b.apply(t, e, b.ev(touchpoint.TypeIdentify, "u1", "", 10, traits(`{"plan":"pro"}`)))
	b.apply(t, e, b.ev(touchpoint.TypeIdentify, "u1", "", 5, traits(`{"plan":"free","city":"Hà Nội"}`)))
	p := b.profile(t, "user_id:u1")
	if string(p.Traits["plan"]) != `"pro"` || string(p.Traits["city"]) != `"Hà Nội"` {
		t.Fatalf("traits %v: the late, older event must not win", p.Traits)
	}
	if !p.Computed.FirstSeen.Equal(t0.Add(5*time.Minute)) || !p.Computed.LastSeen.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("seen %v .. %v", p.Computed.FirstSeen, p.Computed.LastSeen)
	}
	var n int
	if err := sqliteCount(b, "SELECT count(*) FROM trait_history WHERE key = 'plan'", &n); err != nil || n != 2 {
		t.Fatalf("trait history %d, %v", n, err)
	}
}

func TestReplayChangesNothing(t *testing.T) {
	e, b := setup(t)
	batch := []touchpoint.Event{
		b.ev(touchpoint.TypeIdentify, "u1", "a1", 0, traits(`{"email":"x@example.com"}`)),
		b.ev(touchpoint.TypeTrack, "u1", "", 1, func(e *touchpoint.Event) {
			e.Event, e.Properties = "Order Completed", json.RawMessage(`{"revenue":10}`)
		}),
		b.ev(touchpoint.TypeTrack, "", "a2", 2, nil),
		b.ev(touchpoint.TypeIdentify, "u1", "a2", 3, nil),
	}
	b.apply(t, e, batch...)
	before := b.profile(t, "user_id:u1")
	b.apply(t, e, batch...)
	b.apply(t, e, batch[1], batch[3])
	after := b.profile(t, "user_id:u1")
	if after.Computed.Events != before.Computed.Events || after.Computed.Revenue != 10 || len(after.Identifiers) != len(before.Identifiers) {
		t.Fatalf("replay changed the profile: %+v -> %+v", before.Computed, after.Computed)
	}
	seq, err := e.Checkpoint(context.Background())
	if err != nil || seq != 3 {
		t.Fatalf("checkpoint %d, %v", seq, err)
	}
}

func TestLimitsAndAlias(t *testing.T) {
	e, b := setup(t)
	b.rules.Limits[touchpoint.KindAnonymousID] = 2
	b.apply(t, e,
		b.ev(touchpoint.TypeIdentify, "u1", "a1", 0, nil),
		b.ev(touchpoint.TypeIdentify, "u1", "a2", 1, nil),
		b.ev(touchpoint.TypeIdentify, "u1", "a3", 2, nil),
	)
	p := b.profile(t, "user_id:u1")
	if len(p.Identifiers) != 3 || has(p, "anonymous_id:a3") {
		t.Fatalf("limit not applied: %v", p.Identifiers)
	}
	// alias links an old id to the new one.
	b.apply(t, e, b.ev(touchpoint.TypeTrack, "", "old-device", 3, nil))
	b.apply(t, e, b.ev(touchpoint.TypeAlias, "u9", "", 4, func(e *touchpoint.Event) { e.PreviousID = "old-device" }))
	if b.profile(t, "user_id:u9").ID != b.profile(t, "anonymous_id:old-device").ID {
		t.Fatal("alias did not link previousId to userId")
	}
}

func TestAccounts(t *testing.T) {
	e, b := setup(t)
	b.apply(t, e, b.ev(touchpoint.TypeGroup, "u1", "", 0, func(e *touchpoint.Event) {
		e.GroupID, e.Traits = "acct_1", json.RawMessage(`{"name":"Acme","employees":40}`)
	}))
	// A later call adds a trait and keeps the others; an earlier one
	// changes nothing; a second member joins.
	b.apply(t, e,
		b.ev(touchpoint.TypeGroup, "u2", "", 5, func(e *touchpoint.Event) {
			e.GroupID, e.Traits = "acct_1", json.RawMessage(`{"plan":"enterprise"}`)
		}),
		b.ev(touchpoint.TypeGroup, "u1", "", -5, func(e *touchpoint.Event) {
			e.GroupID, e.Traits = "acct_1", json.RawMessage(`{"name":"Old name"}`)
		}))
	ctx := context.Background()
	a, err := b.db.FindAccount(ctx, "default", "acct_1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Traits["name"]) != `"Acme"` || string(a.Traits["plan"]) != `"enterprise"` || len(a.Members) != 2 {
		t.Fatalf("account %+v", a)
	}
	p := b.profile(t, "user_id:u1")
	if len(p.Accounts) != 1 || p.Accounts[0].ID != "acct_1" || string(p.Accounts[0].Traits["employees"]) != "40" {
		t.Fatalf("profile accounts %+v", p.Accounts)
	}
	if _, err := b.db.FindAccount(ctx, "default", "nope", 10); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		t.Fatalf("unknown account: %v", err)
	}
}

func sqliteCount(b *bundle, q string, dest any) error {
	return sqlite.QueryRowForTest(b.db, q, dest)
}

func TestLargeBatch(t *testing.T) {
	// More identifiers and events than one bulk lookup or write carries,
	// and not a whole number of them.
	const n = 1234
	e, b := setup(t)
	var batch []touchpoint.Event
	for i := 0; i < n; i++ {
		batch = append(batch, b.ev(touchpoint.TypeIdentify, fmt.Sprintf("u%d", i), fmt.Sprintf("a%d", i), i, traits(fmt.Sprintf(`{"email":"u%d@example.com"}`, i))))
	}
	b.apply(t, e, batch...)
	var more []touchpoint.Event
	for i := 0; i < n; i++ {
		more = append(more, b.ev(touchpoint.TypeTrack, fmt.Sprintf("u%d", i), fmt.Sprintf("a%d", i), 2000+i, nil))
	}
	// The first batch again is seen and changes nothing.
	b.apply(t, e, append(more, batch...)...)
	count, err := b.db.CountProfiles(context.Background(), "default")
	if err != nil || count != n {
		t.Fatalf("profiles %d, %v", count, err)
	}
	for _, i := range []int{0, 399, 400, 777, n - 1} {
		p := b.profile(t, fmt.Sprintf("email:u%d@example.com", i))
		if p.Computed.Events != 2 || len(p.Identifiers) != 3 || !p.Computed.LastSeen.Equal(t0.Add(time.Duration(2000+i)*time.Minute)) {
			t.Fatalf("profile %d: %d events, identifiers %v, last seen %v", i, p.Computed.Events, p.Identifiers, p.Computed.LastSeen)
		}
	}
}

// TestPlatformEventNamesProfile records an event Touchpoint made about a
// customer who has no user id; it lands on that customer's profile.
func TestPlatformEventNamesProfile(t *testing.T) {
	e, b := setup(t)
	b.apply(t, e, b.ev(touchpoint.TypeTrack, "", "visitor", 0, nil))
	p := b.profile(t, "anonymous_id:visitor")
	ev, err := touchpoint.PlatformEvent{ID: "msg-1", Workspace: "default", ProfileID: p.ID, Event: "message.sent", Channel: "email", Timestamp: t0.Add(time.Hour)}.Build()
	if err != nil {
		t.Fatal(err)
	}
	b.seq++
	if err := e.Apply(context.Background(), tplog.Batch{Events: []touchpoint.Event{ev}, LastSequence: b.seq}); err != nil {
		t.Fatal(err)
	}
	after := b.profile(t, "anonymous_id:visitor")
	if after.ID != p.ID || after.Computed.Events != 2 || after.Computed.EventsByName["message.sent"] != 1 {
		t.Fatalf("platform event not on the profile: %+v", after.Computed)
	}
	if again := b.profile(t, "anonymous_id:"+p.ID); again.ID != p.ID {
		t.Fatalf("the profile id as anonymous id resolves to %s", again.ID)
	}
	// A profile id of nobody creates nothing under the kind "profile".
	ev2, _ := touchpoint.PlatformEvent{ID: "msg-2", Workspace: "default", ProfileID: "prf_nobody", Event: "message.sent", Timestamp: t0}.Build()
	b.seq++
	if err := e.Apply(context.Background(), tplog.Batch{Events: []touchpoint.Event{ev2}, LastSequence: b.seq}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.FindProfile(context.Background(), "default", touchpoint.Identifier{Kind: "anonymous_id", Value: "prf_nobody"}); err != nil {
		t.Fatalf("the event's anonymous id should still identify someone: %v", err)
	}
	var n int
	if err := sqliteCount(b, "SELECT count(*) FROM identities WHERE kind = 'profile'", &n); err != nil || n != 0 {
		t.Fatalf("%d profile identifiers stored, %v", n, err)
	}
}

// TestRepeatedTraitsAreNotHistory sends the same traits with every identify
// call, as SDKs do: only changes are recorded.
func TestRepeatedTraitsAreNotHistory(t *testing.T) {
	e, b := setup(t)
	for i := range 3 {
		b.apply(t, e, b.ev(touchpoint.TypeIdentify, "u1", "", i, traits(`{"plan":"free","name":"Ana"}`)))
	}
	b.apply(t, e, b.ev(touchpoint.TypeIdentify, "u1", "", 9, traits(`{"plan":"pro","name":"Ana"}`)))
	var n int
	if err := sqliteCount(b, "SELECT count(*) FROM trait_history", &n); err != nil || n != 3 {
		t.Fatalf("%d trait history rows, %v; want plan free, plan pro, name", n, err)
	}
	if p := b.profile(t, "user_id:u1"); string(p.Traits["plan"]) != `"pro"` {
		t.Fatalf("traits %v", p.Traits)
	}
}

// TestHeldBackWorkSurvivesACrash applies full batches, as while catching
// up, whose computed traits and event ids are held back; a profile read
// shows them at once. After a crash the log is applied again from the last
// durable position and every event counts exactly once, including one
// sent twice across batches.
func TestHeldBackWorkSurvivesACrash(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	clock := touchpoint.FixedClock(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	open := func() (*identity.Engine, *sqlite.DB) {
		db, err := sqlite.Open(ctx, path, clock)
		if err != nil {
			t.Fatal(err)
		}
		rules := touchpoint.DefaultIdentityRules()
		return identity.NewEngine(db, func(string) touchpoint.IdentityRules { return rules }, slog.New(slog.NewTextHandler(io.Discard, nil))), db
	}
	e, db := open()
	if err := db.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "default", Name: "Default"}); err != nil {
		t.Fatal(err)
	}
	b := &bundle{db: db}
	first := []touchpoint.Event{b.ev(touchpoint.TypeIdentify, "u1", "a1", 0, traits(`{"plan":"pro"}`)), b.ev(touchpoint.TypeTrack, "u1", "", 1, nil)}
	second := []touchpoint.Event{b.ev(touchpoint.TypeTrack, "", "a1", 2, nil), first[1]} // first[1] again: a client retry
	log := []tplog.Batch{{Events: first, LastSequence: 1, Full: true}, {Events: second, LastSequence: 2, Full: true}}
	for _, batch := range log {
		if err := e.Apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if seq, _ := db.IdentityCheckpoint(ctx); seq != 0 {
		t.Fatalf("checkpoint %d stored while work is held back", seq)
	}
	p, err := db.FindProfile(ctx, "default", touchpoint.Identifier{Kind: "user_id", Value: "u1"})
	if err != nil || p.Computed.Events != 3 {
		t.Fatalf("live profile counts %d events, %v; want 3", p.Computed.Events, err)
	}
	if err := sqlite.CrashForTest(db); err != nil {
		t.Fatal(err)
	}

	e, db = open()
	defer db.Close()
	after, err := db.IdentityCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range log {
		if batch.LastSequence > after {
			if err := e.Apply(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := e.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if seq, _ := db.IdentityCheckpoint(ctx); seq != 2 {
		t.Fatalf("checkpoint %d after settling, want 2", seq)
	}
	p, err = db.FindProfile(ctx, "default", touchpoint.Identifier{Kind: "user_id", Value: "u1"})
	if err != nil || p.Computed.Events != 3 || string(p.Traits["plan"]) != `"pro"` {
		t.Fatalf("after the crash the profile counts %d events (%v), traits %v; want 3", p.Computed.Events, err, p.Traits)
	}
	// Applying the whole log once more adds nothing.
	for _, batch := range log {
		if err := e.Apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ = db.FindProfile(ctx, "default", touchpoint.Identifier{Kind: "user_id", Value: "u1"}); p.Computed.Events != 3 {
		t.Fatalf("replay changed the count to %d", p.Computed.Events)
	}
}
