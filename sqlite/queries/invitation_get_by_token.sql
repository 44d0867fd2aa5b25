SELECT id, workspace, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at
FROM invitations WHERE token_hash = ?
