SELECT id, workspace, created_at, merged_into FROM profiles WHERE id = ? AND workspace = ?
