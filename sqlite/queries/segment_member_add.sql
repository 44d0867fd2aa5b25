-- A profile entered a segment; nothing happens if the segment was deleted
-- meanwhile or the profile is already a member.
INSERT INTO segment_members (workspace, segment_id, profile_id, since)
SELECT :workspace, :segment, :profile, :at WHERE EXISTS (SELECT 1 FROM segments WHERE workspace = :workspace AND id = :segment)
ON CONFLICT DO NOTHING
