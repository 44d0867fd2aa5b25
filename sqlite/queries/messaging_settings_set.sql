INSERT INTO messaging_settings (workspace, settings, updated_at) VALUES (?, ?, ?)
ON CONFLICT (workspace) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
