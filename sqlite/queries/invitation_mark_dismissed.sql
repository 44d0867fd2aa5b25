UPDATE survey_invitations SET dismissed_at = coalesce(dismissed_at, :at) WHERE id = :id
