DELETE FROM segment_members WHERE workspace = :workspace AND segment_id = :segment AND profile_id = :profile
