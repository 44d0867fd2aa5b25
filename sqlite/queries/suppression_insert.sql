INSERT INTO suppressions (workspace, kind, value, reason, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
