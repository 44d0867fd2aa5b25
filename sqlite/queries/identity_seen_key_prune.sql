DELETE FROM identity_seen_keys WHERE day < ?
