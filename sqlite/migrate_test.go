package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/touchpoint-cx/touchpoint"
)

// TestComputedTraitsMoveToTheirTable migrates a store written before
// migration 9, when computed traits were a column of profiles, and reads
// the same computed traits back: a merged profile sums both rows.
func TestComputedTraitsMoveToTheirTable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	registerDriver()
	raw, err := sql.Open(driverName, "file:"+path+"?_journal_mode=WAL&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO workspaces (id, name, created_at) VALUES ('default', 'Default', '2026-01-01T00:00:00.000000000Z')`,
		`INSERT INTO profiles (id, workspace, created_at, computed) VALUES ('prf_a', 'default', '2026-01-01T00:00:00.000000000Z',
			'{"first_seen":"2026-01-01T00:00:00Z","last_seen":"2026-01-02T00:00:00Z","events":3,"events_by_name":{"Order Completed":1},"events_by_channel":{"web":3},"orders":1,"revenue":20}')`,
		`INSERT INTO profiles (id, workspace, created_at, merged_into, computed) VALUES ('prf_b', 'default', '2026-01-01T00:00:00.000000000Z', 'prf_a',
			'{"first_seen":"2025-12-31T00:00:00Z","last_seen":"2026-01-01T00:00:00Z","events":2,"events_by_name":null,"events_by_channel":{"app":2},"orders":0,"revenue":0}')`,
		`INSERT INTO profiles (id, workspace, created_at) VALUES ('prf_c', 'default', '2026-01-01T00:00:00.000000000Z')`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	db, err := Open(ctx, path, touchpoint.FixedClock(time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	prof, err := db.FindProfile(ctx, "default", touchpoint.Identifier{Kind: ProfileKind, Value: "prf_a"})
	if err != nil {
		t.Fatal(err)
	}
	c := prof.Computed
	if c.Events != 5 || c.Orders != 1 || c.Revenue != 20 || c.EventsByChannel["web"] != 3 || c.EventsByChannel["app"] != 2 ||
		!c.FirstSeen.Equal(time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("computed traits after the migration: %+v", c)
	}
	prof, err = db.FindProfile(ctx, "default", touchpoint.Identifier{Kind: ProfileKind, Value: "prf_c"})
	if err != nil || prof.Computed.Events != 0 {
		t.Fatalf("a profile that computed nothing: %+v, %v", prof, err)
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM profile_computed`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("profile_computed holds %d rows (%v), want the 2 that computed something", n, err)
	}
}
