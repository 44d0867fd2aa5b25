// Package log is Touchpoint's event log: the source of truth for every event,
// kept in a NATS JetStream stream.
//
// By default the NATS server runs inside the process with file storage in the
// data directory; with Config.URL set the same code talks to a NATS cluster.
//
// # Durability and group commit
//
// An event is acknowledged to the client only once it is on disk. The
// embedded server runs with sync-always, so JetStream fsyncs every log message
// before it acknowledges the publish. One fsync per event would cap ingest at
// a few thousand events per second, so Append does group commit: concurrent
// callers queue their events, one committer goroutine packs everything waiting
// into one log message per partition (newline-delimited JSON), publishes it,
// and wakes every caller when JetStream has acknowledged it. While one group
// is being synced the next one fills up, so the more load there is, the more
// events each fsync covers.
//
// # Consumers
//
// Consume reads the log from a sequence the consumer chooses. Consumers keep
// their own checkpoint (the last log sequence they applied) in their own store,
// written in the same transaction as the effects, and are idempotent on event
// id; so after a crash they resume exactly where their store says they were,
// and a client that retries a call adds nothing.
package log
