INSERT OR REPLACE INTO identity_map (workspace, kind, value, row_id, profile_id)
SELECT workspace, kind, value, last(row_id), last(profile_id) FROM identity_stage_ids GROUP BY workspace, kind, value
