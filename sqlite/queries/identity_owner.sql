SELECT profile_id FROM identities WHERE workspace = ? AND kind = ? AND value = ?
