SELECT id, workspace, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at
FROM invitations
WHERE workspace = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?
ORDER BY created_at DESC
