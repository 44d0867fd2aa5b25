DELETE FROM memberships WHERE workspace = ? AND user_id = ?
