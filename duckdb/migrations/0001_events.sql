-- Events as the log holds them, one row per event. The key is a 128-bit hash
-- of (workspace, messageId): the primary key makes every insert idempotent, so
-- a replayed call or a re-read log message adds nothing.
CREATE TABLE events (
    key                UUID PRIMARY KEY,
    workspace          VARCHAR NOT NULL,
    message_id         VARCHAR NOT NULL,
    seq                UBIGINT NOT NULL,
    type               VARCHAR NOT NULL,
    event              VARCHAR,
    name               VARCHAR,
    category           VARCHAR,
    user_id            VARCHAR,
    anonymous_id       VARCHAR,
    group_id           VARCHAR,
    previous_id        VARCHAR,
    source_id          VARCHAR,
    channel            VARCHAR,
    timestamp          TIMESTAMPTZ NOT NULL,
    original_timestamp TIMESTAMPTZ,
    sent_at            TIMESTAMPTZ,
    received_at        TIMESTAMPTZ NOT NULL,
    properties         JSON,
    traits             JSON,
    context            JSON,
    integrations       JSON
);

-- The last log sequence each consumer of this store applied, written in the
-- same transaction as the rows it covers.
CREATE TABLE consumer_checkpoints (
    consumer   VARCHAR PRIMARY KEY,
    seq        UBIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
