INSERT INTO accounts (workspace, id, traits, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (workspace, id) DO UPDATE SET traits = excluded.traits, updated_at = excluded.updated_at
WHERE excluded.updated_at >= accounts.updated_at
