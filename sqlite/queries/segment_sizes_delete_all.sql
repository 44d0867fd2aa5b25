DELETE FROM segment_sizes WHERE workspace = :workspace AND segment_id = :id
