SELECT body, secret, created_at, updated_at, revoked_at FROM feedback_hooks WHERE id = :id
