INSERT INTO list_members (workspace, list, profile_id, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
