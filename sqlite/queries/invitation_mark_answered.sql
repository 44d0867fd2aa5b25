UPDATE survey_invitations
SET answered_at = coalesce(answered_at, :at),
    completed_at = CASE WHEN :complete THEN coalesce(completed_at, :at) ELSE completed_at END
WHERE id = :id
