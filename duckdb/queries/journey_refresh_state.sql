INSERT OR REPLACE INTO journey_state (id, seq, identity_seq) VALUES (1, $seq, $identity_seq)
