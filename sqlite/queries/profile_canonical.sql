-- The profile a row reads as: follow merged_into to the end.
WITH RECURSIVE up(id, next) AS (
    SELECT id, merged_into FROM profiles WHERE id = ?
    UNION ALL
    SELECT p.id, p.merged_into FROM profiles p JOIN up ON p.id = up.next
)
SELECT id FROM up WHERE next IS NULL
