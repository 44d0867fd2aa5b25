package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// TestConnectionsLeaveCheckpointsToTheLoop checks that the writer, a
// writer connection the pool opens to replace a dropped one, and readers
// all have automatic checkpoints off: checkpointLoop does them.
func TestConnectionsLeaveCheckpointsToTheLoop(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "state.db"), touchpoint.FixedClock(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	autocheckpoint := func(what string, q interface {
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}) {
		t.Helper()
		var n int
		if err := q.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&n); err != nil || n != 0 {
			t.Fatalf("%s: wal_autocheckpoint %d, %v; want 0", what, n, err)
		}
	}
	autocheckpoint("writer", db.db)
	conn, err := db.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
	autocheckpoint("replaced writer", db.db)
	autocheckpoint("reader", db.rdb)
}
