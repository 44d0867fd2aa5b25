DELETE FROM identity_stage_ids; DELETE FROM identity_stage_rows; DELETE FROM identity_stage_traits;
