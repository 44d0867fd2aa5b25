UPDATE profiles SET traits = ? WHERE rowid = ?
