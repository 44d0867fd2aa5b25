DELETE FROM sessions WHERE user_id = ? AND id != ?
