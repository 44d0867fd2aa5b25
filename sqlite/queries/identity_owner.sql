-- The profile row holding an identifier and, when that row was merged, the
-- row it was merged into (one step; Canonical follows longer chains).
SELECT i.profile_id, p.merged_into
FROM identities i JOIN profiles p ON p.id = i.profile_id
WHERE i.workspace = ? AND i.kind = ? AND i.value = ?
