-- The identifiers of profiles (given as a JSON array) and of every row
-- merged into them, oldest first.
WITH RECURSIVE grp(root, id) AS (
    SELECT value, value FROM json_each(:ids)
    UNION
    SELECT grp.root, p.id FROM profiles p JOIN grp ON p.merged_into = grp.id
)
SELECT grp.root, i.kind, i.value FROM grp JOIN identities i ON i.profile_id = grp.id ORDER BY i.first_seen
