-- The owners of many identifiers at once: one (kind, value) group a row.
SELECT i.kind, i.value, i.profile_id, p.merged_into
FROM identities i JOIN profiles p ON p.id = i.profile_id
WHERE i.workspace = ? AND (i.kind, i.value) IN (VALUES {rows})
