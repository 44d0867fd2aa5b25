UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE workspace = ? AND id = ?
