package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/password"
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
	rdb *sql.DB
	// cdb checkpoints the write-ahead log in the background.
	cdb           *sql.DB
	stop, stopped chan struct{}
	clock         touchpoint.Clock
	queries       map[string]string

	// identityMu serialises the writers of identities and merges (the
	// identity engine's batches and unmerges), which keep index in step
	// with the tables. index is nil until the first batch loads it.
	identityMu sync.Mutex
	index      *identityIndex
	legacySeen bool // identity_seen still holds ids to consult
	// seen holds, for the identity writer, the keys of the events it has
	// applied (see seenfilter.go).
	seen      *seenFilter
	prunedDay int64 // the day identity_seen_keys was last pruned
	pending   *pendingIdentity
	// StateCacheSize is how many profile states identity resolution keeps
	// decoded in memory (DefaultStateCacheSize unless set before the first
	// batch). Each takes about a kilobyte.
	StateCacheSize int
	// passwordParams is the cost of new password hashes.
	passwordParams password.Params
}

// DefaultStateCacheSize keeps the states of the 100,000 most recently
// active customers in memory (about 100 MB when full).
const DefaultStateCacheSize = 100000

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string, clock touchpoint.Clock) (*DB, error) {
	// WAL lets readers run beside the one writer. synchronous=NORMAL is
	// safe with WAL (a power cut can lose the last commits, never corrupt
	// the file); events never depend on this store for durability: they
	// are in the log, and every consumer re-applies what a lost commit held.
	// The page cache is sized for a million profiles (the default 2 MB
	// makes every identity lookup a read from the OS), and pages beyond it
	// are read through a memory map instead of a system call each.
	registerDriver()
	const tuning = "&_cache_size=-262144&_busy_timeout=" + busyTimeoutMS + "&_foreign_keys=on"
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate" + tuning
	sdb, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	// SQLite has one writer at a time; a single connection keeps its page
	// cache warm instead of spreading it over a pool.
	sdb.SetMaxOpenConns(1)
	rdb, err := sql.Open(driverName, "file:"+path+"?_journal_mode=WAL&_query_only=true"+tuning)
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open state: %w", err)
	}
	// Checkpoints copy the write-ahead log back into the database file. They
	// run on a connection of their own, beside the writer, instead of
	// inside whichever commit crosses the threshold.
	cdb, err := sql.Open(driverName, "file:"+path+"?_journal_mode=WAL&_busy_timeout="+busyTimeoutMS)
	if err != nil {
		sdb.Close()
		rdb.Close()
		return nil, fmt.Errorf("open state: %w", err)
	}
	cdb.SetMaxOpenConns(1)
	db := &DB{db: sdb, rdb: rdb, cdb: cdb, clock: clock, StateCacheSize: DefaultStateCacheSize, passwordParams: password.Default, pending: newPendingIdentity()}
	if db.queries, err = sqlfiles.Load(queryFS, "queries"); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.stop, db.stopped = make(chan struct{}), make(chan struct{})
	go db.checkpointLoop()
	return db, nil
}

const driverName = "sqlite3_touchpoint"

var registerOnce sync.Once

// registerDriver registers SQLite with a hook that, on every new
// connection, maps the database into memory and leaves checkpoints to
// checkpointLoop (a writer connection the pool replaces keeps that too).
func registerDriver() {
	registerOnce.Do(func() {
		sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA mmap_size = 2147418112; PRAGMA wal_autocheckpoint = 0", nil)
			return err
		}})
	})
}

// checkpointLoop checkpoints the write-ahead log every second without
// blocking the writer or readers, and truncates it when the database
// closes.
//
// A checkpoint that runs beside a writer never finds the log fully copied,
// and SQLite only starts the log over from its beginning when it is: under
// a steady stream of writes the log would grow by every page written, to
// gigabytes, each new frame extending the file. So once the log holds more
// than walRestartFrames, the copy is finished on the writer's own
// connection, queued between two of its transactions (RESTART: only the
// frames written since the passive copy began are left to copy), and the
// next commit writes from the log's start again.
func (db *DB) checkpointLoop() {
	defer close(db.stopped)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			// A failed checkpoint only lets the log grow; the next one
			// catches up.
			if frames, err := checkpoint(db.cdb, "PASSIVE"); err == nil && frames > walRestartFrames {
				db.restartLog()
			}
		}
	}
}

// restartLog finishes the checkpoint on the writer's connection and lets
// the next commit start the log over. A reader still using the log would
// make it wait; it waits at most 100 ms, so writers are never held up
// longer, and the next second tries again.
func (db *DB) restartLog() {
	ctx := context.Background()
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 100"); err != nil {
		return
	}
	_, _ = checkpoint(conn, "RESTART")
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = "+busyTimeoutMS); err != nil {
		// A connection left with the short timeout would fail writes
		// that should wait: drop it, the pool opens a fresh one.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// busyTimeoutMS is how long a connection waits for a lock.
const busyTimeoutMS = "5000"

// walRestartFrames is the log's length, in pages, past which a checkpoint
// starts it over (64 MB at 4 KB pages).
const walRestartFrames = 16384

// checkpoint runs a checkpoint in mode on conn and returns how many
// frames the log held.
func checkpoint(conn interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, mode string) (int, error) {
	var busy, frames, copied int
	if err := conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &copied); err != nil {
		return 0, err
	}
	return frames, nil
}

func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// Close closes the database.
func (db *DB) Close() error {
	if db.pending != nil && db.stop != nil {
		// Identity work held back while catching up is written now rather
		// than applied again from the log at the next start.
		_ = db.SettleIdentity(context.Background())
	}
	if db.stop != nil {
		close(db.stop)
		<-db.stopped
		db.stop = nil
	}
	_, _ = db.cdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	cerr := db.cdb.Close()
	rerr := db.rdb.Close()
	if err := db.db.Close(); err != nil {
		return err
	}
	return errors.Join(rerr, cerr)
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.rdb.PingContext(ctx) }

func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate state: %w", err)
	}
	// Areas of the product number their migrations in ranges of their own
	// (00001-00009, 00010-00019…), so a database may have applied a higher
	// number before a lower one it did not have yet: apply those too.
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

// sortableID returns prefix followed by 20 base32 characters: the time in
// milliseconds (10 characters, so ids sort by creation) and 50 random bits.
// Profile ids are keys of several indexes; ids that grow with time make new
// rows land together at the end of them instead of all over.
func sortableID(prefix string, t time.Time) string {
	const alphabet = "234567ABCDEFGHIJKLMNOPQRSTUVWXYZ" // base32 digits in byte order
	ms := uint64(t.UnixMilli())
	var b [20]byte
	for i := 9; i >= 0; i-- {
		b[i] = alphabet[ms&31]
		ms >>= 5
	}
	copy(b[10:], rand.Text())
	return prefix + string(b[:])
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
