INSERT OR IGNORE INTO segment_outbox (id, body) VALUES (:id, :body)
