-- The invitations of any of a customer's keys, newest first: what the
-- fatigue rules judge by.
SELECT id, workspace, survey_id, customer_key, profile_id, user_id, anonymous_id, email, delivery, language,
       touchpoint, created_at, expires_at, opened_at, answered_at, completed_at, dismissed_at
FROM survey_invitations
WHERE workspace = :workspace AND customer_key IN (SELECT value FROM json_each(:keys))
ORDER BY created_at DESC, id DESC
LIMIT 500
