SELECT id, traits, updated_at FROM accounts WHERE workspace = ? AND id = ?
