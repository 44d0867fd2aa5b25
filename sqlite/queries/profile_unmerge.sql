UPDATE profiles SET merged_into = NULL WHERE id = ? AND merged_into = ?
