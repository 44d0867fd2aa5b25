DELETE FROM list_members WHERE workspace = ? AND list = ? AND profile_id = ?
