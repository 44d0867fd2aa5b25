-- Profiles that entered a segment (or a persona).
INSERT OR IGNORE INTO segment_members (workspace, segment_id, profile_id)
SELECT DISTINCT workspace, segment_id, profile_id FROM segment_stage WHERE member
