SELECT id, workspace, name, created_at FROM api_keys WHERE secret_hash = ? AND revoked_at IS NULL
