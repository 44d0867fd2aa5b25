package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// openDefault opens a new state store whose clock stands at at, with the
// workspace "default"; the test closes it when it ends.
func openDefault(t *testing.T, at time.Time) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "state.db"), touchpoint.FixedClock(at))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "default", Name: "Default"}); err != nil {
		t.Fatal(err)
	}
	return db
}
