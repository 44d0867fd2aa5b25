-- The accounts of many profile rows.
SELECT m.profile_id, a.traits FROM account_members m JOIN accounts a ON a.workspace = m.workspace AND a.id = m.account_id
WHERE m.workspace = ? AND m.profile_id IN ({rows})
