UPDATE profiles SET merged_into = ? WHERE id = ?
