INSERT INTO merge_rejections (workspace, event_id, profiles, identifiers, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)
