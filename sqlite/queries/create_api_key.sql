INSERT INTO api_keys (id, workspace, name, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)
