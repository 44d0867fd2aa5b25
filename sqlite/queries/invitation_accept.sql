UPDATE invitations SET accepted_at = ?, accepted_by = ?
WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?
