-- Staging tables for one batch of identity changes, private to the writer
-- connection.
CREATE TEMP TABLE IF NOT EXISTS identity_stage_ids (workspace VARCHAR, kind VARCHAR, value VARCHAR, row_id VARCHAR, profile_id VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS identity_stage_rows (workspace VARCHAR, row_id VARCHAR, profile_id VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS identity_stage_traits (workspace VARCHAR, profile_id VARCHAR, traits JSON, deleted BOOLEAN, updated_at TIMESTAMPTZ);
