INSERT OR REPLACE INTO journey_state (id, seq, identity_fp) VALUES (1, $seq, $fp)
