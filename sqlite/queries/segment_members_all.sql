SELECT workspace, segment_id, profile_id FROM segment_members
