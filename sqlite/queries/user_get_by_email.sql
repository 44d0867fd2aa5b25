SELECT id, email, name, password_hash, created_at FROM users WHERE email = ?
