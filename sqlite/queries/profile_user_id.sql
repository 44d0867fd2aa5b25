SELECT value FROM identities WHERE profile_id = ? AND kind = 'user_id' LIMIT 1
