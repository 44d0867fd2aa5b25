WITH RECURSIVE grp(id) AS (
    SELECT :id
    UNION
    SELECT p.id FROM profiles p JOIN grp ON p.merged_into = grp.id
)
SELECT DISTINCT a.id, a.traits FROM account_members m JOIN grp ON m.profile_id = grp.id
JOIN accounts a ON a.workspace = m.workspace AND a.id = m.account_id
ORDER BY a.id
