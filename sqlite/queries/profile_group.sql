-- A profile and every row merged into it, at any depth.
WITH RECURSIVE grp(id) AS (
    SELECT :id
    UNION
    SELECT p.id FROM profiles p JOIN grp ON p.merged_into = grp.id
)
SELECT p.id, p.created_at, p.traits, coalesce(c.computed, '{}')
FROM profiles p JOIN grp ON p.id = grp.id LEFT JOIN profile_computed c ON c.profile_id = p.id
