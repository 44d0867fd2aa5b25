UPDATE profiles SET computed = ? WHERE rowid = ?
