// Package duckdb is Touchpoint's analytics store: a DuckDB file in the data
// directory holding every event for queries.
//
// One Warehouse owns the file. It is fed from the log in batches through
// DuckDB's appender, never a row per transaction, and stores the log
// sequence it has applied in the same transaction as the rows, so it resumes
// exactly where it stopped. Because the log is the source of truth, the whole
// file can be thrown away and rebuilt from it.
//
// Events keep their raw identifiers (userId, anonymousId); identity is
// resolved at query time, so a merge never rewrites events.
//
// The feedback engine keeps one row per feedback item in the feedback table
// (scores, sentiment, topics, touchpoint, survey, language, channel, raw
// identifiers), written in batches with its own checkpoint; CX metrics are
// counted there (ScoreCounts, ResponseCounts) and computed in the domain.
//
// Journey analytics (funnels, paths, retention, the journey map, drivers,
// churn and lifetime value) read journey tables derived from the events
// and identity_map: every activity on its profile's path, with its
// neighbours, and every feedback event with the touchpoint before it.
// RefreshJourneys brings them up to date before each analysis, recomputing
// only the profiles whose events or identifiers changed; whether anything
// changed is read from the warehouse's and the identity feed's checkpoints,
// so identity_map must only be written through ApplyIdentityMap. The
// sentiment and topics of feedback reach the map and the drivers by
// joining the feedback facts to the journey row of the event each was made
// from.
package duckdb
