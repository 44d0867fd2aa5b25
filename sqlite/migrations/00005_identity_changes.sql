-- +goose Up
-- Changes to which profile user ids and anonymous ids read as, in the order
-- identity resolution made them, so the analytics store's copy of the
-- identity map can follow. A row with kind and value says an identifier
-- joined row_id; a row without says row_id now reads as profile_id (a
-- merge or an unmerge).
CREATE TABLE identity_changes (
    seq        INTEGER PRIMARY KEY,
    workspace  TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    kind       TEXT,
    value      TEXT,
    profile_id TEXT NOT NULL
);

-- Profiles whose traits changed since they were last copied, one row per
-- profile; seq orders them with identity_changes.
CREATE TABLE profile_traits_dirty (
    workspace  TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (workspace, profile_id)
) WITHOUT ROWID;
CREATE INDEX profile_traits_dirty_seq ON profile_traits_dirty (seq);
