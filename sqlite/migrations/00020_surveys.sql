-- +goose Up
-- Surveys are kept whole as JSON (definition); the columns beside it are
-- what lists filter on.
CREATE TABLE surveys (
    id         TEXT PRIMARY KEY,
    workspace  TEXT NOT NULL REFERENCES workspaces (id),
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    status     TEXT NOT NULL,
    widget     INTEGER NOT NULL DEFAULT 0,
    definition TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX surveys_workspace ON surveys (workspace, created_at);

-- A workspace's survey rules, and the key that signs its survey links.
CREATE TABLE survey_settings (
    workspace     TEXT PRIMARY KEY REFERENCES workspaces (id),
    cooldown_days INTEGER NOT NULL,
    secret        BLOB NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Every time a customer was asked a survey. The fatigue rules read a
-- customer's recent invitations by customer_key.
CREATE TABLE survey_invitations (
    id           TEXT PRIMARY KEY,
    workspace    TEXT NOT NULL,
    survey_id    TEXT NOT NULL REFERENCES surveys (id),
    customer_key TEXT NOT NULL,
    profile_id   TEXT,
    user_id      TEXT,
    anonymous_id TEXT,
    email        TEXT,
    delivery     TEXT NOT NULL,
    language     TEXT NOT NULL,
    touchpoint   TEXT,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    opened_at    TEXT,
    answered_at  TEXT,
    completed_at TEXT,
    dismissed_at TEXT
);
CREATE INDEX survey_invitations_customer ON survey_invitations (workspace, customer_key, created_at);

-- One response per invitation, kept from its first answer. body is the
-- whole response as JSON; revision makes concurrent saves fail instead of
-- overwriting each other.
CREATE TABLE survey_responses (
    id            TEXT PRIMARY KEY,
    workspace     TEXT NOT NULL,
    survey_id     TEXT NOT NULL REFERENCES surveys (id),
    invitation_id TEXT NOT NULL UNIQUE REFERENCES survey_invitations (id),
    customer_key  TEXT NOT NULL,
    complete      INTEGER NOT NULL,
    revision      INTEGER NOT NULL,
    body          TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses (workspace, survey_id, started_at);
CREATE INDEX survey_responses_customer ON survey_responses (workspace, customer_key, started_at);
