DELETE FROM segment_deliveries WHERE workspace = :workspace AND destination_id IN
    (SELECT id FROM segment_destinations WHERE workspace = :workspace AND segment_id = :id)
