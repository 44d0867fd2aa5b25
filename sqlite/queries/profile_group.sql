-- A profile and every row merged into it, at any depth.
WITH RECURSIVE grp(id) AS (
    SELECT :id
    UNION
    SELECT p.id FROM profiles p JOIN grp ON p.merged_into = grp.id
)
SELECT p.id, p.created_at, p.traits, p.computed FROM profiles p JOIN grp ON p.id = grp.id
