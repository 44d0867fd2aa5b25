INSERT INTO memberships (workspace, user_id, role, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (workspace, user_id) DO UPDATE SET role = excluded.role
