DELETE FROM profile_traits WHERE (workspace, profile_id) IN (SELECT workspace, profile_id FROM identity_stage_traits WHERE deleted)
