SELECT id, workspace, survey_id, customer_key, profile_id, user_id, anonymous_id, email, delivery, language,
       touchpoint, created_at, expires_at, opened_at, answered_at, completed_at, dismissed_at
FROM survey_invitations WHERE id = :id
