-- The profiles an account's members read as now (a merged row counts as
-- the profile it was merged into), each once.
WITH RECURSIVE up(member, id, next) AS (
    SELECT m.profile_id, p.id, p.merged_into
    FROM account_members m JOIN profiles p ON p.id = m.profile_id
    WHERE m.workspace = ? AND m.account_id = ?
    UNION ALL
    SELECT up.member, p.id, p.merged_into FROM profiles p JOIN up ON p.id = up.next
)
SELECT DISTINCT id FROM up WHERE next IS NULL ORDER BY id LIMIT ?
