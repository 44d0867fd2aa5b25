-- +goose Up
-- People who sign in to the dashboard. Only an argon2id hash of the
-- password is kept (PHC format, parameters included).
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- A user's role in a workspace.
CREATE TABLE memberships (
    workspace  TEXT NOT NULL REFERENCES workspaces (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_user ON memberships (user_id);

-- Invitations to join a workspace; only the SHA-256 of the token is kept.
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    workspace   TEXT NOT NULL REFERENCES workspaces (id),
    email       TEXT NOT NULL,
    role        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by TEXT REFERENCES users (id),
    revoked_at  TEXT
);
CREATE INDEX invitations_workspace ON invitations (workspace, created_at);

-- Signed-in browsers; only the SHA-256 of the cookie's token is kept.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace  TEXT NOT NULL REFERENCES workspaces (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
