DELETE FROM segment_history WHERE workspace = :workspace AND segment_id = :id
