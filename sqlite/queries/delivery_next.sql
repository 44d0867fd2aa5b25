SELECT min(next_at) FROM segment_deliveries WHERE status = 'pending'
