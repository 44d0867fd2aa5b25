-- +goose Up
CREATE TABLE consent (
    workspace  TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    channel    TEXT NOT NULL,
    status     TEXT NOT NULL,
    source     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workspace, profile_id, channel)
) WITHOUT ROWID;

CREATE TABLE suppressions (
    workspace  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace, kind, value)
) WITHOUT ROWID;
