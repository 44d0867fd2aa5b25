DELETE FROM segment_members WHERE workspace = :workspace AND segment_id = :id
