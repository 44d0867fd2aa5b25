UPDATE segment_deliveries SET attempts = attempts + 1, next_at = :next, last_error = :error WHERE id = :id
