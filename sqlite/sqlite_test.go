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

func TestMigrations(t *testing.T) {
	// Each area of the product numbers its migrations in its own range
	// (00001-00009 core and identity, 00010-00019 dashboard, 00020-00029
	// surveys and feedback…), so numbers increase but may skip.
	t.Run("Increasing", func(t *testing.T) {
		names, err := sqlite.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		prev := 0
		for i, n := range names {
			var v int
			if _, err := fmt.Sscanf(n[:6], "%05d_", &v); err != nil || v <= prev {
				t.Fatalf("migration %d is %s: want a 5-digit number above %d", i, n, prev)
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
