-- A merge or unmerge re-points every identifier its rows hold.
UPDATE identity_map SET profile_id = s.profile_id
FROM identity_stage_rows s
WHERE identity_map.workspace = s.workspace AND identity_map.row_id = s.row_id
  AND identity_map.profile_id IS DISTINCT FROM s.profile_id
