UPDATE sessions SET workspace = ? WHERE id = ?
