SELECT profile_id, added_at FROM list_members WHERE workspace = ? AND list = ? AND profile_id > ? ORDER BY profile_id LIMIT ?
