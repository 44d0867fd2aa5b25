-- A profile row and every row merged into it, at any depth.
WITH RECURSIVE grp(id) AS (
    SELECT :id
    UNION
    SELECT p.id FROM profiles p JOIN grp ON p.merged_into = grp.id
)
SELECT id FROM grp
