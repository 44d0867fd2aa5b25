INSERT INTO segment_engine (id, seq, identity_change, pass, swept_at) VALUES (1, :seq, :identity_change, :pass, :swept_at)
ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, identity_change = excluded.identity_change, pass = excluded.pass, swept_at = excluded.swept_at
