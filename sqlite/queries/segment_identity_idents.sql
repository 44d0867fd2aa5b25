SELECT workspace, kind, value, profile_id FROM identities WHERE kind IN ('user_id', 'anonymous_id')
