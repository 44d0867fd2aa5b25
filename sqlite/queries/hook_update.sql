UPDATE feedback_hooks SET name = :name, body = :body, updated_at = :updated_at
WHERE workspace = :workspace AND id = :id AND revoked_at IS NULL
