SELECT count(*) FROM profiles WHERE workspace = ? AND merged_into IS NULL
