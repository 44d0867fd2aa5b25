UPDATE feedback_hooks SET revoked_at = coalesce(revoked_at, :at) WHERE workspace = :workspace AND id = :id
