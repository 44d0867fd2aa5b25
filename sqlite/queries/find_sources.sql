SELECT id, workspace, name, type, write_key, created_at, revoked_at
FROM sources
WHERE (:workspace IS NULL OR workspace = :workspace)
  AND (:id IS NULL OR id = :id)
  AND (:write_key IS NULL OR write_key = :write_key)
  AND (:include_revoked OR revoked_at IS NULL)
ORDER BY created_at, rowid
