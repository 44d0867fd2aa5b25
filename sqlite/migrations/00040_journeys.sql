-- +goose Up
-- A journey holds its editable draft; each publish freezes the draft into
-- an immutable version, and enrolments point at the version they entered.
CREATE TABLE journeys (
    workspace      TEXT NOT NULL REFERENCES workspaces (id),
    id             TEXT NOT NULL,
    status         TEXT NOT NULL,
    draft          TEXT NOT NULL,
    active_version INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (workspace, id)
) WITHOUT ROWID;

CREATE TABLE journey_versions (
    workspace    TEXT NOT NULL,
    journey_id   TEXT NOT NULL,
    version      INTEGER NOT NULL,
    definition   TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    PRIMARY KEY (workspace, journey_id, version),
    FOREIGN KEY (workspace, journey_id) REFERENCES journeys (workspace, id)
) WITHOUT ROWID;

-- One customer's run through one version. wake_at is the durable timer:
-- the engine fires every active enrolment whose wake_at has passed, after
-- a restart too. wait_event is the event awaited at node_id.
CREATE TABLE enrolments (
    id         TEXT PRIMARY KEY,
    workspace  TEXT NOT NULL,
    journey_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    profile_id TEXT NOT NULL,
    user_id    TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    node_id    TEXT NOT NULL,
    step       INTEGER NOT NULL DEFAULT 0,
    wake_at    TEXT,
    wait_event TEXT,
    arm        TEXT NOT NULL DEFAULT '',
    trigger    TEXT NOT NULL DEFAULT '{}',
    entered_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    ended_at   TEXT,
    end_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX enrolments_timers ON enrolments (wake_at) WHERE wake_at IS NOT NULL;
-- Not partial on status: moving a customer then leaves this index alone.
CREATE INDEX enrolments_profile ON enrolments (workspace, profile_id);
CREATE INDEX enrolments_journey ON enrolments (workspace, journey_id, profile_id);
CREATE INDEX enrolments_node ON enrolments (workspace, journey_id, version, node_id) WHERE status = 'active';

-- Per-node counters, added to in the transaction that moves customers.
CREATE TABLE journey_counters (
    workspace  TEXT NOT NULL,
    journey_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    node_id    TEXT NOT NULL,
    metric     TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (workspace, journey_id, version, node_id, metric)
) WITHOUT ROWID;

-- Days the date-trait pass has covered for a journey version.
CREATE TABLE journey_date_runs (
    workspace  TEXT NOT NULL,
    journey_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    day        TEXT NOT NULL,
    PRIMARY KEY (workspace, journey_id, version, day)
) WITHOUT ROWID;
