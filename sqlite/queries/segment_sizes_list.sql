SELECT day, size, entered, exited FROM segment_sizes
WHERE workspace = :workspace AND segment_id = :segment AND day >= :since ORDER BY day
