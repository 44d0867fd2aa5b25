INSERT INTO consent (workspace, profile_id, channel, status, source, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace, profile_id, channel) DO UPDATE SET status = excluded.status, source = excluded.source, updated_at = excluded.updated_at, updated_by = excluded.updated_by
WHERE consent.status <> excluded.status OR consent.source <> excluded.source
