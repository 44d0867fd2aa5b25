-- +goose Up
-- A profile row is one customer as first seen. Merging marks the loser as
-- merged into the winner instead of rewriting it, so a merge can be undone
-- exactly.
CREATE TABLE profiles (
    id          TEXT PRIMARY KEY,
    workspace   TEXT NOT NULL REFERENCES workspaces (id),
    created_at  TEXT NOT NULL,
    merged_into TEXT REFERENCES profiles (id),
    traits      TEXT NOT NULL DEFAULT '{}',
    computed    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX profiles_merged_into ON profiles (merged_into) WHERE merged_into IS NOT NULL;
-- Covers "which profile does this row read as" without reading the row,
-- whose traits can be large.
CREATE INDEX profiles_canonical ON profiles (id, merged_into);

CREATE TABLE identities (
    workspace  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES profiles (id),
    first_seen TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    PRIMARY KEY (workspace, kind, value)
) WITHOUT ROWID;
CREATE INDEX identities_profile ON identities (profile_id);

CREATE TABLE merges (
    id          TEXT PRIMARY KEY,
    workspace   TEXT NOT NULL,
    winner      TEXT NOT NULL REFERENCES profiles (id),
    loser       TEXT NOT NULL REFERENCES profiles (id),
    event_id    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    identifiers TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    undone_at   TEXT,
    undone_by   TEXT
);
CREATE INDEX merges_winner ON merges (winner);
CREATE INDEX merges_loser ON merges (loser);

CREATE TABLE merge_rejections (
    id          INTEGER PRIMARY KEY,
    workspace   TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    profiles    TEXT NOT NULL,
    identifiers TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE trait_history (
    profile_id TEXT NOT NULL REFERENCES profiles (id),
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    at         TEXT NOT NULL,
    event_id   TEXT NOT NULL
);
CREATE INDEX trait_history_profile ON trait_history (profile_id, key, at);

CREATE TABLE accounts (
    workspace  TEXT NOT NULL,
    id         TEXT NOT NULL,
    traits     TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace, id)
) WITHOUT ROWID;

CREATE TABLE account_members (
    profile_id TEXT NOT NULL REFERENCES profiles (id),
    workspace  TEXT NOT NULL,
    account_id TEXT NOT NULL,
    joined_at  TEXT NOT NULL,
    PRIMARY KEY (profile_id, account_id)
) WITHOUT ROWID;

-- Event ids the identity engine has applied, so a replay changes nothing.
CREATE TABLE identity_seen (
    workspace TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    PRIMARY KEY (workspace, event_id)
) WITHOUT ROWID;

CREATE TABLE consumer_checkpoints (
    consumer   TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
