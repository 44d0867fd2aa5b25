UPDATE sources SET revoked_at = ? WHERE workspace = ? AND id = ? AND revoked_at IS NULL
