SELECT id, name, created_at FROM workspaces WHERE id = ?
