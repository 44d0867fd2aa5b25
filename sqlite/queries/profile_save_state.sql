UPDATE profiles SET traits = ?, computed = ? WHERE id = ?
