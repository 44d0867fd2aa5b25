INSERT OR IGNORE INTO identity_seen_keys (h1, h2, day) VALUES (?, ?, ?)
