-- Every feedback event joins the survey answers beside the journeys:
-- tickets and reviews (Feedback Received) as well as survey answers, each
-- with the messageId the feedback facts name it by, so the journey map and
-- key drivers read an item's sentiment and topics at the touchpoint the
-- customer saw before it. last_step marks the event that stands for its
-- response (a response answered in steps sends one event per step, and
-- counts once). touch_act now also passes over feedback and survey
-- delivery, as the feedback engine does when it names a touchpoint.
--
-- journey_state now records how far the journeys are by the identity
-- feed's checkpoint (every change to identity_map is saved with it), so
-- the look before each query no longer hashes the whole map.
--
-- The journey tables are derived data: emptied here, they are rebuilt
-- under the new rules by the next refresh.
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

DELETE FROM journey_events;
DELETE FROM journey_profiles;
DELETE FROM journey_identity;
DROP TABLE journey_state;

CREATE TABLE journey_state (
    id           INTEGER PRIMARY KEY,
    seq          UBIGINT NOT NULL,
    identity_seq UBIGINT NOT NULL
);
