INSERT INTO sources (id, workspace, name, type, write_key, created_at) VALUES (?, ?, ?, ?, ?, ?)
