package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/journey"
)

// TestListMembers adds and removes list members in one transaction, as a
// timer batch does: additions are held and written together, a removal
// after an addition of the same customer wins, and the lists read back in
// pages.
func TestListMembers(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	db, err := Open(ctx, filepath.Join(t.TempDir(), "state.db"), touchpoint.FixedClock(at))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.UpdateJourneys(ctx, func(tx journey.Tx) error {
		for _, op := range []struct {
			list, profile string
			add           bool
		}{{"vip", "p3", true}, {"vip", "p1", true}, {"vip", "p2", true}, {"vip", "p1", false}, {"vip", "p2", true}, {"nps-callback", "p9", true}, {"gone", "p5", true}, {"gone", "p5", false}} {
			if err := tx.SetListMember("acme", op.list, op.profile, op.add, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	lists, err := db.Lists(ctx, "acme")
	if err != nil || len(lists) != 2 || lists[0].Name != "nps-callback" || lists[1].Name != "vip" || lists[1].Members != 2 || !lists[1].LastAdded.Equal(at) {
		t.Fatalf("lists %+v %v", lists, err)
	}
	page, err := db.ListMembers(ctx, "acme", "vip", "", 1)
	if err != nil || len(page) != 1 || page[0].ProfileID != "p2" {
		t.Fatalf("first page %+v %v", page, err)
	}
	page, err = db.ListMembers(ctx, "acme", "vip", "p2", 10)
	if err != nil || len(page) != 1 || page[0].ProfileID != "p3" {
		t.Fatalf("second page %+v %v", page, err)
	}
	if other, err := db.Lists(ctx, "other"); err != nil || len(other) != 0 {
		t.Fatalf("another workspace's lists %+v %v", other, err)
	}
	if _, err := db.ListMembers(ctx, "acme", "not a name", "", 10); touchpoint.ErrorField(err) != "list" {
		t.Fatalf("bad list name: %v", err)
	}
}
