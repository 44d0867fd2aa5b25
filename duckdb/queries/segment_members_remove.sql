-- Profiles that left a segment.
DELETE FROM segment_members m USING segment_stage s
WHERE NOT s.member AND m.workspace = s.workspace AND m.segment_id = s.segment_id AND m.profile_id = s.profile_id
