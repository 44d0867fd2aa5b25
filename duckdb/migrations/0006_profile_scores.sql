-- Computed scores of each profile, replaced whole by every refresh
-- (touchpoint scores refresh, the server's schedule, or the API), so that
-- profile reads, segments and journeys can use them as traits.
CREATE TABLE profile_scores (
    workspace       VARCHAR NOT NULL,
    profile_id      VARCHAR NOT NULL,
    churn_risk      DOUBLE,
    orders          BIGINT NOT NULL,
    revenue         DOUBLE NOT NULL,
    p_alive         DOUBLE,
    expected_orders DOUBLE,
    predicted_clv   DOUBLE,
    computed_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace, profile_id)
);

-- The models behind the last refresh, with how well they did.
CREATE TABLE score_models (
    workspace  VARCHAR NOT NULL,
    model      VARCHAR NOT NULL,
    trained_at TIMESTAMPTZ NOT NULL,
    samples    BIGINT NOT NULL,
    metric     DOUBLE,
    details    JSON,
    PRIMARY KEY (workspace, model)
);
