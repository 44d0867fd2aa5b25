SELECT merged_into FROM profiles WHERE id = ?
