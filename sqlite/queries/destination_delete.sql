DELETE FROM segment_destinations WHERE workspace = :workspace AND segment_id = :segment AND id = :id
