UPDATE workspaces SET name = ? WHERE id = ?
