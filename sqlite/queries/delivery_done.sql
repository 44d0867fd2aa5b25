UPDATE segment_deliveries SET status = 'delivered', attempts = attempts + 1, done_at = :at, last_error = NULL WHERE id = :id
