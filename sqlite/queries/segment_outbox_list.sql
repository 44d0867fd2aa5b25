SELECT body FROM segment_outbox ORDER BY rowid
