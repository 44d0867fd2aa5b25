-- The session, its user, and the user's role in the session's workspace
-- (NULL once they are no longer a member).
SELECT s.id, s.user_id, s.workspace, s.csrf_token, s.created_at, s.last_seen, s.expires_at,
       u.email, u.name, u.created_at, m.role
FROM sessions s
JOIN users u ON u.id = s.user_id
LEFT JOIN memberships m ON m.workspace = s.workspace AND m.user_id = s.user_id
WHERE s.token_hash = ?
