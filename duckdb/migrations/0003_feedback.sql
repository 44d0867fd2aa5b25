-- Feedback facts for CX metrics: one row per feedback item (a survey
-- response, a ticket, a review), written by the feedback engine in batches.
-- A response answered in several steps is one row, replaced as it grows.
-- Rows keep the identifiers they came with; profile_feedback attributes them
-- to profiles through identity_map, like profile_events.
CREATE TABLE feedback (
    workspace          VARCHAR NOT NULL,
    id                 VARCHAR NOT NULL,
    event_id           VARCHAR NOT NULL,
    seq                UBIGINT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    source             VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL,
    channel            VARCHAR,
    survey_id          VARCHAR,
    survey_type        VARCHAR,
    response_id        VARCHAR,
    invitation_id      VARCHAR,
    score              DOUBLE,
    max_score          DOUBLE,
    complete           BOOLEAN NOT NULL,
    has_text           BOOLEAN NOT NULL,
    language           VARCHAR,
    sentiment          VARCHAR,
    sentiment_score    DOUBLE,
    topics             VARCHAR[],
    touchpoint         VARCHAR,
    touchpoint_channel VARCHAR,
    user_id            VARCHAR,
    anonymous_id       VARCHAR,
    flags              VARCHAR[]
);

CREATE VIEW profile_feedback AS
SELECT f.*,
       coalesce(u.profile_id, a.profile_id,
                CASE WHEN f.user_id IS NOT NULL THEN 'user_id:' || f.user_id ELSE 'anonymous_id:' || f.anonymous_id END) AS profile_id
FROM feedback f
LEFT JOIN identity_map u ON u.workspace = f.workspace AND u.kind = 'user_id' AND u.value = f.user_id
LEFT JOIN identity_map a ON a.workspace = f.workspace AND a.kind = 'anonymous_id' AND a.value = f.anonymous_id;
