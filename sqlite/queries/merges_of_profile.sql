WITH RECURSIVE grp(id) AS (
    SELECT :id
    UNION
    SELECT p.id FROM profiles p JOIN grp ON p.merged_into = grp.id
)
SELECT id, workspace, winner, loser, event_id, reason, identifiers, created_at, undone_at, undone_by
FROM merges WHERE winner IN (SELECT id FROM grp) OR loser IN (SELECT id FROM grp)
ORDER BY created_at, id
