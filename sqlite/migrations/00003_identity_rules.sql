-- +goose Up
-- A workspace's identity merge rules, as JSON; absent means the defaults.
CREATE TABLE identity_rules (
    workspace  TEXT PRIMARY KEY REFERENCES workspaces (id),
    rules      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
