// Package sqlite is the embedded backend of Touchpoint's state store:
// workspaces, sources and their write keys, admin keys, profiles, surveys,
// invitations, responses, feedback items and inbound webhooks. It uses SQLite in WAL
// mode through github.com/mattn/go-sqlite3.
//
// The schema lives in numbered, embedded migrations applied with goose when
// the database opens; they only ever move forward. The SQL of every query is
// in queries/*.sql, one statement a file, named for what it does. The same
// service interfaces are implemented for PostgreSQL by a cluster backend, and
// package statetest holds the conformance suite both must pass.
package sqlite
