package sqlite

import "context"

// QueryRowForTest runs a read-only query for tests in other packages that
// need to look at rows no service method returns.
func QueryRowForTest(db *DB, query string, dest any) error {
	return db.db.QueryRowContext(context.Background(), query).Scan(dest)
}

// CrashForTest forgets the identity work held back in memory and closes
// the database, as a crash would.
func CrashForTest(db *DB) error {
	db.pending.clear()
	return db.Close()
}
