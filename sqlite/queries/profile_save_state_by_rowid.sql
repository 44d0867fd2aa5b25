UPDATE profiles SET traits = ?, computed = ? WHERE rowid = ?
