-- Every value a trait took on a profile or any row merged into it, newest
-- event time first.
WITH RECURSIVE grp(id) AS (
    SELECT :id
    UNION
    SELECT p.id FROM profiles p JOIN grp ON p.merged_into = grp.id
)
SELECT h.key, h.value, h.at, h.event_id FROM trait_history h JOIN grp ON h.profile_id = grp.id
WHERE :key IS NULL OR h.key = :key
ORDER BY h.at DESC, h.rowid DESC
LIMIT :limit
