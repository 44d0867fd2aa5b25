UPDATE sessions SET last_seen = ? WHERE id = ?
