-- Customer journeys, kept ready for analytics: every activity (track, page
-- and screen call) with the profile it belongs to now, its place in that
-- profile's time-ordered path and its neighbours on the path. Funnels,
-- paths, retention and the journey map read this instead of sorting ten
-- million events per query. It is derived from events and identity_map
-- only, and brought up to date before every query (see journey_refresh_*):
-- the profiles whose events or identifiers changed since the last refresh
-- are recomputed, so merges and unmerges still show at once.

-- Activities and profiles are numbered so the hot columns are integers. A
-- profile's variant fingerprints its whole path (see journeymap_variants)
-- and events counts its activities.
CREATE TABLE journey_activities (
    activity VARCHAR PRIMARY KEY,
    code     INTEGER NOT NULL
);

CREATE TABLE journey_profiles (
    workspace  VARCHAR NOT NULL,
    profile_id VARCHAR NOT NULL,
    pnum       INTEGER NOT NULL,
    variant    UBIGINT,
    events     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace, profile_id)
);

-- Times are microseconds since the epoch. prev_t/next_* are the profile's
-- neighbouring activities; same_prev_t and same_prev2_t the two previous
-- times it did the same activity, edge_prev_t the previous time it took the
-- same transition (they let a query count distinct customers inside a date
-- range without a DISTINCT). touch_act is the last activity before this one
-- that is neither a survey answer nor one of Touchpoint's own messages: the
-- touchpoint a survey answer is about. dt is next_t - t, and flags hold what
-- the neighbour columns say for the whole history, one bit each, so that a
-- map without a date range reads two narrow columns instead of six wide
-- ones: 1 first time the profile did this activity, 2 first activity of the
-- profile, 4 last activity, 8 second time it did this activity, 16 first
-- time it took this transition.
CREATE TABLE journey_events (
    workspace    VARCHAR NOT NULL,
    key          UUID NOT NULL,
    pnum         INTEGER NOT NULL,
    user_id      VARCHAR,
    anonymous_id VARCHAR,
    channel      VARCHAR,
    act          INTEGER NOT NULL,
    t            BIGINT NOT NULL,
    pos          INTEGER NOT NULL,
    prev_t       BIGINT,
    next_act     INTEGER,
    next_t       BIGINT,
    same_prev_t  BIGINT,
    same_prev2_t BIGINT,
    edge_prev_t  BIGINT,
    touch_act    INTEGER,
    dt           BIGINT,
    flags        UTINYINT NOT NULL
);

-- Survey answers with the touchpoint they follow, for CX on the map and
-- key drivers. score is on the survey's own scale, max_score its top.
CREATE TABLE journey_answers (
    workspace   VARCHAR NOT NULL,
    key         UUID NOT NULL,
    pnum        INTEGER NOT NULL,
    t           BIGINT NOT NULL,
    touch_act   INTEGER,
    survey_type VARCHAR,
    score       DOUBLE,
    max_score   DOUBLE,
    touchpoint  VARCHAR
);

-- The user and anonymous ids' profiles as of the last refresh, to find
-- what identity resolution changed since.
CREATE TABLE journey_identity (
    workspace  VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    value      VARCHAR NOT NULL,
    profile_id VARCHAR NOT NULL,
    PRIMARY KEY (workspace, kind, value)
);

-- How far the journeys are: the last events sequence and a fingerprint of
-- identity_map they reflect.
CREATE TABLE journey_state (
    id          INTEGER PRIMARY KEY,
    seq         UBIGINT NOT NULL,
    identity_fp VARCHAR NOT NULL
);
