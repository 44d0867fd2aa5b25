UPDATE invitations SET revoked_at = ?
WHERE workspace = ? AND id = ? AND accepted_at IS NULL AND revoked_at IS NULL
