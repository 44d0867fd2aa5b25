package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/sqlite"
	"github.com/touchpoint-cx/touchpoint/statetest"
)

func open(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, &statetest.Clock{T: time.Date(2026, 11, 22, 9, 0, 0, 123456789, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) statetest.Backend {
		return open(t, filepath.Join(t.TempDir(), "state.db"))
	})
}

func TestSurveyConformance(t *testing.T) {
	statetest.RunSurveys(t, func(t *testing.T) (statetest.SurveyBackend, *statetest.Clock) {
		c := &statetest.Clock{T: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"), c)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db, c
	})
}

func TestUsers(t *testing.T) {
	statetest.RunUsers(t, func(t *testing.T, clock *statetest.Clock) statetest.UserBackend {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"), clock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestMigrations(t *testing.T) {
	// Each area of the product numbers its migrations in its own range
	// (journeys 00040-00049…), so versions increase but may jump between
	// ranges; within a range they are contiguous.
	t.Run("Ordered", func(t *testing.T) {
		names, err := sqlite.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		prev := 0
		for i, n := range names {
			var v int
			if _, err := fmt.Sscanf(n, "%05d_", &v); err != nil || n[5] != '_' {
				t.Fatalf("migration %s is not NNNNN_name.sql", n)
			}
			if v <= prev {
				t.Fatalf("migration %d is %s, not after version %d", i, n, prev)
			}
			if v != prev+1 && v%10 != 0 {
				t.Fatalf("migration %s leaves a gap after %d inside a range", n, prev)
			}
			prev = v
		}
	})
	t.Run("ReopenKeepsData", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		db := open(t, path)
		ctx := context.Background()
		if err := db.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "acme", Name: "Acme"}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		db = open(t, path)
		if _, err := db.FindWorkspace(ctx, "acme"); err != nil {
			t.Fatalf("after reopen: %v", err)
		}
	})
}

func TestSegmentConformance(t *testing.T) {
	statetest.RunSegments(t, func(t *testing.T) (statetest.SegmentBackend, *statetest.Clock) {
		c := &statetest.Clock{T: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"), c)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db, c
	})
}
