-- Identifiers whose journeys may have changed: those of events appended
-- since the last refresh, and, when identity resolution changed anything
-- since ($identity), those it moved to another profile (or mapped for the
-- first time, or dropped).
CREATE OR REPLACE TEMP TABLE jr_ids AS
SELECT DISTINCT workspace, kind, value FROM (
    SELECT workspace, 'user_id' AS kind, user_id AS value FROM events
    WHERE seq > $seq AND user_id IS NOT NULL AND type IN ('track', 'page', 'screen')
    UNION ALL
    SELECT workspace, 'anonymous_id', anonymous_id FROM events
    WHERE seq > $seq AND anonymous_id IS NOT NULL AND type IN ('track', 'page', 'screen')
    UNION ALL
    SELECT coalesce(m.workspace, s.workspace), coalesce(m.kind, s.kind), coalesce(m.value, s.value)
    FROM (SELECT * FROM identity_map WHERE $identity AND kind IN ('user_id', 'anonymous_id')) m
    FULL OUTER JOIN (SELECT * FROM journey_identity WHERE $identity) s ON m.workspace = s.workspace AND m.kind = s.kind AND m.value = s.value
    WHERE m.profile_id IS DISTINCT FROM s.profile_id
)
