INSERT OR REPLACE INTO profile_traits (workspace, profile_id, traits, updated_at)
SELECT workspace, profile_id, traits, updated_at FROM identity_stage_traits WHERE NOT deleted
