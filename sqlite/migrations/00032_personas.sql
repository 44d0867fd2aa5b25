-- +goose Up
-- Discovered personas: the clusters of a workspace's last discovery run.
CREATE TABLE personas (
    workspace     TEXT NOT NULL,
    id            TEXT NOT NULL,
    run           INTEGER NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    size          INTEGER NOT NULL,
    share         REAL NOT NULL,
    nps           REAL,
    nps_responses INTEGER NOT NULL,
    churn_risk    REAL,
    churn_source  TEXT NOT NULL,
    features      TEXT NOT NULL,
    refreshed_at  TEXT NOT NULL,
    PRIMARY KEY (workspace, id)
) WITHOUT ROWID;

CREATE TABLE persona_members (
    workspace  TEXT NOT NULL,
    persona_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    PRIMARY KEY (workspace, persona_id, profile_id)
) WITHOUT ROWID;
CREATE INDEX persona_members_profile ON persona_members (workspace, profile_id);

-- The last discovery run of each workspace: how many clusters, chosen how.
CREATE TABLE persona_runs (
    workspace TEXT PRIMARY KEY,
    run       INTEGER NOT NULL,
    body      TEXT NOT NULL,
    at        TEXT NOT NULL
);
