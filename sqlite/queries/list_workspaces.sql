SELECT id, name, created_at FROM workspaces ORDER BY id
