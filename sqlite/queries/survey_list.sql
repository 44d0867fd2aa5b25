SELECT definition FROM surveys
WHERE workspace = :workspace
  AND (:status IS NULL OR status = :status)
  AND (:widget = 0 OR (widget = 1 AND status = 'active'))
ORDER BY created_at DESC, id DESC
