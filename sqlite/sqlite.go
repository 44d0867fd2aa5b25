package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqlfiles"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed queries/*.sql
var queryFS embed.FS

// DB is an open state store.
type DB struct {
	db *sql.DB
	// rdb reads: its transactions are deferred, so they take a WAL
	// snapshot instead of the write lock.
	rdb     *sql.DB
	clock   touchpoint.Clock
	queries map[string]string
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string, clock touchpoint.Clock) (*DB, error) {
	// WAL lets readers run beside the one writer. synchronous=NORMAL is
	// safe with WAL (a power cut can lose the last commits, never corrupt
	// the file); the state kept here is small, changes rarely, and events
	// never depend on it for durability: they are in the log.
	// The page cache is sized for a million profiles (the default 2 MB
	// makes every identity lookup a read from the OS), and memory-mapped
	// reads skip a copy.
	const tuning = "&_cache_size=-262144&_busy_timeout=5000&_foreign_keys=on"
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate" + tuning
	sdb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	// SQLite has one writer at a time; a single connection keeps its page
	// cache warm instead of spreading it over a pool.
	sdb.SetMaxOpenConns(1)
	rdb, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_query_only=true"+tuning)
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open state: %w", err)
	}
	db := &DB{db: sdb, rdb: rdb, clock: clock}
	if db.queries, err = sqlfiles.Load(queryFS, "queries"); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	rerr := db.rdb.Close()
	if err := db.db.Close(); err != nil {
		return err
	}
	return rerr
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.rdb.PingContext(ctx) }

func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate state: %w", err)
	}
	// Areas of the product number their migrations in separate ranges, so
	// a data directory may have applied a later range before an earlier
	// one gains a migration: those are applied out of order.
	p, err := goose.NewProvider(goose.DialectSQLite3, db.db, fsys, goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrate state: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate state: %w", err)
	}
	return nil
}

// Migrations returns the names of the embedded migrations in order.
func Migrations() ([]string, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, nil
}

func (db *DB) query(name string) string {
	q, ok := db.queries[name]
	if !ok {
		panic("sqlite: no query " + name)
	}
	return q
}

// now returns the clock's time, truncated to what is stored.
func (db *DB) now() time.Time { return db.clock.Now().UTC() }

// timeFormat has a fixed width so that stored times sort as text.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

func parseNullTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// randomID returns prefix followed by n base32 characters from crypto/rand
// (5 bits each).
func randomID(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for b.Len() < len(prefix)+n {
		b.WriteString(rand.Text())
	}
	return b.String()[:len(prefix)+n]
}

func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique || errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
}
