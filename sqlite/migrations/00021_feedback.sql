-- +goose Up
-- Feedback from every source, made by the feedback engine from the log.
-- body is the whole item as JSON; the columns are what the inbox filters on.
-- seq is the log sequence of the event the row was last made from.
CREATE TABLE feedback (
    workspace    TEXT NOT NULL,
    id           TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    source       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    channel      TEXT,
    survey_id    TEXT,
    sentiment    TEXT,
    language     TEXT,
    user_id      TEXT,
    anonymous_id TEXT,
    email        TEXT,
    score        REAL,
    flagged      INTEGER NOT NULL,
    text         TEXT,
    topics       TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace, id)
) WITHOUT ROWID;
CREATE INDEX feedback_created ON feedback (workspace, created_at, id);
CREATE INDEX feedback_user ON feedback (workspace, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX feedback_anonymous ON feedback (workspace, anonymous_id) WHERE anonymous_id IS NOT NULL;
CREATE INDEX feedback_email ON feedback (workspace, email) WHERE email IS NOT NULL;

-- Inbound webhooks that turn other systems' calls into feedback.
CREATE TABLE feedback_hooks (
    id         TEXT PRIMARY KEY,
    workspace  TEXT NOT NULL REFERENCES workspaces (id),
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revoked_at TEXT,
    UNIQUE (workspace, name)
);
