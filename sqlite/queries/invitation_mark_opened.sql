UPDATE survey_invitations SET opened_at = coalesce(opened_at, :at) WHERE id = :id
