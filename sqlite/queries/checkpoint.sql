SELECT coalesce(max(seq), 0) FROM consumer_checkpoints WHERE consumer = ?
