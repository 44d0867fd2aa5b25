-- +goose Up
-- The outbox: every message a journey step sends, keyed by the step's
-- idempotency key. The dispatcher marks a row sending before it calls the
-- channel and sent after, so a crash in between is visible and reconciled.
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    workspace    TEXT NOT NULL,
    channel      TEXT NOT NULL,
    profile_id   TEXT NOT NULL,
    user_id      TEXT NOT NULL DEFAULT '',
    journey_id   TEXT NOT NULL,
    version      INTEGER NOT NULL,
    node_id      TEXT NOT NULL,
    enrolment_id TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    provider_id  TEXT NOT NULL DEFAULT '',
    recipient    TEXT NOT NULL DEFAULT '',
    context      TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    sent_at      TEXT
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_status ON outbox (workspace, status, created_at);

-- Messages that reached a customer, for the contact budget.
CREATE TABLE contact_log (
    workspace  TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    at         TEXT NOT NULL,
    channel    TEXT NOT NULL,
    message_id TEXT NOT NULL
);
CREATE INDEX contact_log_profile ON contact_log (workspace, profile_id, at);

-- In-app messages waiting for the web widget to fetch them.
CREATE TABLE inapp_messages (
    id           TEXT PRIMARY KEY,
    workspace    TEXT NOT NULL,
    profile_id   TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    url          TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    delivered_at TEXT,
    seen_at      TEXT
);
CREATE INDEX inapp_messages_profile ON inapp_messages (workspace, profile_id, created_at);

CREATE TABLE list_members (
    workspace  TEXT NOT NULL,
    list       TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (workspace, list, profile_id)
) WITHOUT ROWID;

CREATE TABLE messaging_settings (
    workspace  TEXT PRIMARY KEY REFERENCES workspaces (id),
    settings   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Per-workspace secrets: signing unsubscribe links and webhooks.
CREATE TABLE messaging_secrets (
    workspace  TEXT PRIMARY KEY REFERENCES workspaces (id),
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
