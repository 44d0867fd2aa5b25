-- +goose Up
-- Changes to which profile user ids and anonymous ids read as, in the order
-- identity resolution made them, so the analytics store's copy of the
-- identity map can follow. A row with kind and value says an identifier
-- joined row_id; a row without says row_id now reads as profile_id (a
-- merge or an unmerge); a row with traits = 1 says profile_id's traits
-- changed. Rows are only ever appended, in seq order, which keeps writing
-- them cheap.
CREATE TABLE identity_changes (
    seq        INTEGER PRIMARY KEY,
    workspace  TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    kind       TEXT,
    value      TEXT,
    profile_id TEXT NOT NULL,
    traits     INTEGER NOT NULL DEFAULT 0
);
