INSERT INTO segment_engine (id, seq, identity_change, pass, changed_pass, swept_at) VALUES (1, :seq, :identity_change, :pass, :changed_pass, :swept_at)
ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, identity_change = excluded.identity_change, pass = excluded.pass,
    changed_pass = excluded.changed_pass, swept_at = excluded.swept_at
