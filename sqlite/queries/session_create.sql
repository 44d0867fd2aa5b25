INSERT INTO sessions (id, token_hash, user_id, workspace, csrf_token, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
