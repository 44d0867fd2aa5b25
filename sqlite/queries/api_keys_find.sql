SELECT id, workspace, name, created_at, revoked_at FROM api_keys WHERE workspace = ? ORDER BY created_at, id
