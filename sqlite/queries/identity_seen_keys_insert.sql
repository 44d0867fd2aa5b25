-- Remembers applied events by their hashed ids, many at once: one (h1, h2, day) group a row.
INSERT OR IGNORE INTO identity_seen_keys (h1, h2, day) VALUES {rows}
