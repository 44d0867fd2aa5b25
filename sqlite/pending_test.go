package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/identity"
)

// TestHeldPositionSurvivesTransactionsWithout holds back a batch applied up
// to log position 7, commits a transaction that applied no log position,
// and settles: position 7 is what gets stored, with the batch's work.
func TestHeldPositionSurvivesTransactionsWithout(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	db := openDefault(t, at)
	var p string
	err := db.UpdateIdentity(ctx, func(tx identity.Tx) error {
		if _, err := tx.FirstTime("default", []string{"e1"}); err != nil {
			return err
		}
		var err error
		if p, err = tx.CreateProfile("default", at); err != nil {
			return err
		}
		if err := tx.AddComputed(map[string]*touchpoint.ComputedTraits{p: {Events: 1, FirstSeen: at, LastSeen: at}}); err != nil {
			return err
		}
		return tx.Applied(7, false)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateIdentity(ctx, func(identity.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if seq, err := db.IdentityCheckpoint(ctx); err != nil || seq != 0 {
		t.Fatalf("checkpoint %d (%v) while held back, want 0", seq, err)
	}
	if err := db.SettleIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	if seq, err := db.IdentityCheckpoint(ctx); err != nil || seq != 7 {
		t.Fatalf("checkpoint %d (%v) after settling, want 7", seq, err)
	}
	prof, err := db.FindProfile(ctx, "default", touchpoint.Identifier{Kind: ProfileKind, Value: p})
	if err != nil || prof.Computed.Events != 1 {
		t.Fatalf("settled profile: %+v, %v", prof, err)
	}
}
