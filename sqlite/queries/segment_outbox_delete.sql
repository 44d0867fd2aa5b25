DELETE FROM segment_outbox WHERE id = :id
