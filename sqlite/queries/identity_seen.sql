INSERT OR IGNORE INTO identity_seen (workspace, event_id) VALUES (?, ?)
