INSERT INTO consumer_checkpoints (consumer, seq, updated_at) VALUES (?, ?, ?)
ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at
