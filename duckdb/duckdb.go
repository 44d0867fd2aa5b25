package duckdb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver
	"github.com/touchpoint-cx/touchpoint/internal/sqlfiles"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed queries/*.sql
var queryFS embed.FS

// Warehouse is the open analytics store.
type Warehouse struct {
	db   *sql.DB
	path string

	// wmu serialises writers: one connection appends, many read.
	wmu   sync.Mutex
	wconn *sql.Conn

	queries map[string]string

	// jmu serialises journey refreshes (journey.go).
	jmu sync.Mutex

	tmu       sync.Mutex
	templates map[string]*template.Template

	// afterAppend, when set by tests, runs between appending a batch and
	// saving its checkpoint, to prove the two commit together or not at all.
	afterAppend func() error
}

// Open opens (creating if needed) the DuckDB file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Warehouse, error) {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, fmt.Errorf("open analytics: %w", err)
	}
	w := &Warehouse{db: db, path: path}
	if w.queries, err = sqlfiles.Load(queryFS, "queries"); err != nil {
		db.Close()
		return nil, err
	}
	if err := w.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if w.wconn, err = db.Conn(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("analytics writer: %w", err)
	}
	return w, nil
}

// Close closes the store.
func (w *Warehouse) Close() error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.wconn != nil {
		w.wconn.Close()
		w.wconn = nil
	}
	return w.db.Close()
}

// DB exposes the database for read-only analytical queries of other packages
// in this layer.
func (w *Warehouse) DB() *sql.DB { return w.db }

// migrate applies the numbered migrations not yet applied, each in its own
// transaction. Migrations only ever move forward.
func (w *Warehouse) migrate(ctx context.Context) error {
	if _, err := w.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ DEFAULT current_timestamp)`); err != nil {
		return fmt.Errorf("migrate analytics: %w", err)
	}
	var current int
	if err := w.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate analytics: %w", err)
	}
	files, err := Migrations()
	if err != nil {
		return err
	}
	for _, m := range files {
		if m.Version <= current {
			continue
		}
		tx, err := w.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate analytics %d: %w", m.Version, err)
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate analytics %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, m.Version); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate analytics %d: %w", m.Version, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate analytics %d: %w", m.Version, err)
		}
	}
	return nil
}

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations in order. File names start
// with their version number, which must run 1, 2, 3… without gaps.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", e.Name())
		}
		b, err := migrations.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.Name, i+1)
		}
	}
	return out, nil
}

func (w *Warehouse) query(name string) string {
	q, ok := w.queries[name]
	if !ok {
		panic("duckdb: no query " + name)
	}
	return q
}
