INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)
