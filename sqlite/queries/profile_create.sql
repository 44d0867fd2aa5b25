INSERT INTO profiles (id, workspace, created_at) VALUES (?, ?, ?)
