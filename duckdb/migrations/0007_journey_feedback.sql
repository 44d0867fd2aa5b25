-- The journey tables are derived data: they are dropped and made again
-- here, empty, and the next refresh rebuilds them under these rules.
--
-- Every feedback event joins the survey answers beside the journeys:
-- tickets and reviews (Feedback Received) as well as survey answers, each
-- with the messageId the feedback facts name it by, so the journey map and
-- key drivers read an item's sentiment and topics at the touchpoint the
-- customer saw before it. last_step marks the event that stands for its
-- response (a response answered in steps sends one event per step, and
-- counts once). touch_act now also passes over feedback and survey
-- delivery, as the feedback engine does when it names a touchpoint.
--
-- same_prev_pos is the path position of the profile's previous event of
-- the same activity: the first event of an activity after a position p is
-- the one whose same_prev_pos is below p + 1, so a funnel step finds each
-- attempt's next event with a join that matches at most one row, without
-- grouping.
--
-- journey_state records how far the journeys are by the identity feed's
-- checkpoint (every change to identity_map is saved with it), so the look
-- before each query no longer hashes the whole map.
DROP TABLE journey_events;

CREATE TABLE journey_events (
    workspace     VARCHAR NOT NULL,
    key           UUID NOT NULL,
    pnum          INTEGER NOT NULL,
    user_id       VARCHAR,
    anonymous_id  VARCHAR,
    channel       VARCHAR,
    act           INTEGER NOT NULL,
    t             BIGINT NOT NULL,
    pos           INTEGER NOT NULL,
    prev_t        BIGINT,
    next_act      INTEGER,
    next_t        BIGINT,
    same_prev_t   BIGINT,
    same_prev2_t  BIGINT,
    edge_prev_t   BIGINT,
    touch_act     INTEGER,
    same_prev_pos INTEGER,
    dt            BIGINT,
    flags         UTINYINT NOT NULL
);

DROP TABLE journey_answers;

CREATE TABLE journey_answers (
    workspace   VARCHAR NOT NULL,
    key         UUID NOT NULL,
    message_id  VARCHAR NOT NULL,
    pnum        INTEGER NOT NULL,
    t           BIGINT NOT NULL,
    touch_act   INTEGER,
    survey_type VARCHAR,
    score       DOUBLE,
    max_score   DOUBLE,
    touchpoint  VARCHAR,
    response_id VARCHAR,
    last_step   BOOLEAN NOT NULL
);

DELETE FROM journey_profiles;

DELETE FROM journey_identity;

DROP TABLE journey_state;

CREATE TABLE journey_state (
    id           INTEGER PRIMARY KEY,
    seq          UBIGINT NOT NULL,
    identity_seq UBIGINT NOT NULL
);
