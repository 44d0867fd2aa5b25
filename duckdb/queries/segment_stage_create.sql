-- Staging table for membership changes, private to the writer connection.
CREATE TEMP TABLE IF NOT EXISTS segment_stage (workspace VARCHAR, segment_id VARCHAR, profile_id VARCHAR, member BOOLEAN)
