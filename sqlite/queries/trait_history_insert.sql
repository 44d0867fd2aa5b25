INSERT INTO trait_history (profile_id, key, value, at, event_id) VALUES (?, ?, ?, ?, ?)
