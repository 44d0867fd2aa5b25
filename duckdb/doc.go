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
package duckdb
