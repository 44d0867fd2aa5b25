-- +goose Up
-- Segments: a definition (conditions as JSON), its version, and the
-- version membership was last computed for.
CREATE TABLE segments (
    workspace         TEXT NOT NULL REFERENCES workspaces (id),
    id                TEXT NOT NULL,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    persona           INTEGER NOT NULL DEFAULT 0,
    definition        TEXT NOT NULL,
    version           INTEGER NOT NULL,
    evaluated_version INTEGER NOT NULL DEFAULT 0,
    size              INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workspace, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX segments_name ON segments (workspace, name);

-- Who is in each segment now, by the profile they read as.
CREATE TABLE segment_members (
    workspace  TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    since      TEXT NOT NULL,
    PRIMARY KEY (workspace, segment_id, profile_id)
) WITHOUT ROWID;
CREATE INDEX segment_members_profile ON segment_members (workspace, profile_id);

-- Every entry and exit, with what caused it and the event recorded.
CREATE TABLE segment_history (
    id         INTEGER PRIMARY KEY,
    workspace  TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    change     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    event_id   TEXT,
    at         TEXT NOT NULL
);
CREATE INDEX segment_history_segment ON segment_history (workspace, segment_id, id);
CREATE INDEX segment_history_profile ON segment_history (workspace, profile_id, id);

-- Each segment's size at the end of each UTC day, with that day's entries
-- and exits.
CREATE TABLE segment_sizes (
    workspace  TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    day        TEXT NOT NULL,
    size       INTEGER NOT NULL,
    entered    INTEGER NOT NULL,
    exited     INTEGER NOT NULL,
    PRIMARY KEY (workspace, segment_id, day)
) WITHOUT ROWID;

-- segment.entered and segment.exited events committed with the changes
-- they record, until they are in the log.
CREATE TABLE segment_outbox (
    id   TEXT PRIMARY KEY,
    body TEXT NOT NULL
);

-- How far the segments engine has got, written with every pass.
CREATE TABLE segment_engine (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    seq             INTEGER NOT NULL,
    identity_change INTEGER NOT NULL,
    pass            INTEGER NOT NULL,
    changed_pass    INTEGER NOT NULL DEFAULT 0,
    swept_at        TEXT
);
