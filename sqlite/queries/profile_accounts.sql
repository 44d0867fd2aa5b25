-- The accounts a profile (or any row merged into it) belongs to.
WITH RECURSIVE grp(id) AS (
    SELECT :id
    UNION
    SELECT p.id FROM profiles p JOIN grp ON p.merged_into = grp.id
)
SELECT a.id, a.traits, a.updated_at, min(m.joined_at)
FROM account_members m JOIN grp ON m.profile_id = grp.id
JOIN accounts a ON a.workspace = m.workspace AND a.id = m.account_id
GROUP BY a.id, a.traits, a.updated_at
ORDER BY a.id
