SELECT profile_id FROM segment_members WHERE workspace = :workspace AND segment_id = :segment ORDER BY profile_id
