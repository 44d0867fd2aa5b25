-- +goose Up
-- Webhooks a segment is synced to, and the deliveries queued for them.
CREATE TABLE segment_destinations (
    workspace  TEXT NOT NULL,
    id         TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace, id)
) WITHOUT ROWID;
CREATE INDEX segment_destinations_segment ON segment_destinations (workspace, segment_id);

CREATE TABLE segment_deliveries (
    id             INTEGER PRIMARY KEY,
    workspace      TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    body           TEXT NOT NULL,
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_at        TEXT NOT NULL,
    last_error     TEXT,
    created_at     TEXT NOT NULL,
    done_at        TEXT
);
CREATE INDEX segment_deliveries_due ON segment_deliveries (next_at) WHERE status = 'pending';
CREATE INDEX segment_deliveries_destination ON segment_deliveries (workspace, destination_id, status);
