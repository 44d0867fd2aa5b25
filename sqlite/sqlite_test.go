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

func TestMigrations(t *testing.T) {
	t.Run("Contiguous", func(t *testing.T) {
		names, err := sqlite.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range names {
			if want := fmt.Sprintf("%05d_", i+1); n[:6] != want {
				t.Fatalf("migration %d is %s, want prefix %s", i, n, want)
			}
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
