SELECT m.workspace, m.user_id, u.email, u.name, m.role, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE (:workspace IS NULL OR m.workspace = :workspace)
  AND (:user_id IS NULL OR m.user_id = :user_id)
ORDER BY m.workspace, u.email
