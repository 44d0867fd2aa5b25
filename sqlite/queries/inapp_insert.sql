INSERT INTO inapp_messages (id, workspace, profile_id, title, body, url, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
