DELETE FROM segment_deliveries WHERE workspace = :workspace AND destination_id = :id
