SELECT count(*) FROM contact_log WHERE workspace = ? AND profile_id = ? AND at > ?
