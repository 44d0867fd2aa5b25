INSERT INTO identities (workspace, kind, value, profile_id, first_seen, event_id) VALUES (?, ?, ?, ?, ?, ?)
