-- Profiles to recompute: where those identifiers belong now (their own
-- name when unresolved), and where their events were counted until now.
CREATE OR REPLACE TEMP TABLE jr_profiles AS
SELECT DISTINCT workspace, profile_id FROM (
    SELECT i.workspace, coalesce(m.profile_id, i.kind || ':' || i.value) AS profile_id
    FROM jr_ids i LEFT JOIN identity_map m ON m.workspace = i.workspace AND m.kind = i.kind AND m.value = i.value
    UNION ALL
    SELECT p.workspace, p.profile_id
    FROM (SELECT DISTINCT j.workspace, j.pnum FROM journey_events j
          SEMI JOIN jr_ids i ON i.workspace = j.workspace AND i.kind = 'user_id' AND i.value = j.user_id
          UNION
          SELECT DISTINCT j.workspace, j.pnum FROM journey_events j
          SEMI JOIN jr_ids i ON i.workspace = j.workspace AND i.kind = 'anonymous_id' AND i.value = j.anonymous_id) o
    JOIN journey_profiles p ON p.workspace = o.workspace AND p.pnum = o.pnum
)
