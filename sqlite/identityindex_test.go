package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/identity"
)

// TestIdentityIndexRollback fails a batch after it created, attached and
// merged, and checks the in-memory index forgot all of it with the tables,
// so the next batch sees exactly what is stored.
func TestIdentityIndexRollback(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	db := openDefault(t, at)
	var a, b string
	var err error
	err = db.UpdateIdentity(ctx, func(tx identity.Tx) error {
		if a, err = tx.CreateProfile("default", at); err != nil {
			return err
		}
		return tx.Attach("default", touchpoint.Identifier{Kind: "user_id", Value: "u1"}, a, "e1", at)
	})
	if err != nil {
		t.Fatal(err)
	}
	rowsBefore, changeBefore := len(db.index.rows), db.index.changeSeq
	boom := errors.New("boom")
	err = db.UpdateIdentity(ctx, func(tx identity.Tx) error {
		if b, err = tx.CreateProfile("default", at); err != nil {
			return err
		}
		if err := tx.Attach("default", touchpoint.Identifier{Kind: "anonymous_id", Value: "a9"}, b, "e2", at); err != nil {
			return err
		}
		if err := tx.Merge(&touchpoint.Merge{Workspace: "default", Winner: a, Loser: b, EventID: "e2", Reason: "test", CreatedAt: at}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if len(db.index.rows) != rowsBefore || db.index.changeSeq != changeBefore || len(db.index.children) != 0 {
		t.Fatalf("index kept the failed batch: %d rows (want %d), change %d (want %d), children %v",
			len(db.index.rows), rowsBefore, db.index.changeSeq, changeBefore, db.index.children)
	}
	if _, ok := db.index.byID[b]; ok {
		t.Fatal("rolled-back profile still indexed")
	}
	err = db.UpdateIdentity(ctx, func(tx identity.Tx) error {
		row, _, err := tx.Owner("default", touchpoint.Identifier{Kind: "anonymous_id", Value: "a9"})
		if err != nil || row != "" {
			t.Errorf("a9 owned by %q after rollback, %v", row, err)
		}
		row, canonical, err := tx.Owner("default", touchpoint.Identifier{Kind: "user_id", Value: "u1"})
		if err != nil || row != a || canonical != a {
			t.Errorf("u1 owned by %q/%q, %v; want %s", row, canonical, err, a)
		}
		ids, err := tx.Identifiers(a)
		if err != nil || len(ids) != 1 {
			t.Errorf("identifiers of %s: %v, %v", a, ids, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestIdentityIndexLoad reopens a store and checks the index it loads
// answers as the one that wrote it did, merges included.
func TestIdentityIndexLoad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	db, err := Open(ctx, path, touchpoint.FixedClock(at))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "default", Name: "Default"}); err != nil {
		t.Fatal(err)
	}
	var a, b, c string
	err = db.UpdateIdentity(ctx, func(tx identity.Tx) error {
		for _, p := range []*string{&a, &b, &c} {
			if *p, err = tx.CreateProfile("default", at); err != nil {
				return err
			}
		}
		for i, id := range []struct{ kind, value, profile string }{{"user_id", "u1", a}, {"anonymous_id", "x", b}, {"email", "c@example.com", c}} {
			if err := tx.Attach("default", touchpoint.Identifier{Kind: id.kind, Value: id.value}, id.profile, "e"+string(rune('0'+i)), at); err != nil {
				return err
			}
		}
		// c into b, then b into a: a chain two deep.
		if err := tx.Merge(&touchpoint.Merge{Workspace: "default", Winner: b, Loser: c, EventID: "e3", Reason: "test", CreatedAt: at}); err != nil {
			return err
		}
		return tx.Merge(&touchpoint.Merge{Workspace: "default", Winner: a, Loser: b, EventID: "e4", Reason: "test", CreatedAt: at})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(ctx, path, touchpoint.FixedClock(at))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.UpdateIdentity(ctx, func(tx identity.Tx) error {
		row, canonical, err := tx.Owner("default", touchpoint.Identifier{Kind: "email", Value: "c@example.com"})
		if err != nil || row != c || canonical != a {
			t.Errorf("email owned by %q reading as %q, %v; want %s as %s", row, canonical, err, c, a)
		}
		ids, err := tx.Identifiers(a)
		if err != nil || len(ids) != 3 {
			t.Errorf("identifiers of the merged profile: %v, %v", ids, err)
		}
		if got := db.index.changeSeq; got == 0 {
			t.Error("change sequence not loaded")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
