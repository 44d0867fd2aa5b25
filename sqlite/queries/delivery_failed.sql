UPDATE segment_deliveries SET status = 'failed', attempts = attempts + 1, done_at = :at, last_error = :error WHERE id = :id
