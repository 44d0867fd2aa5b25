INSERT INTO survey_invitations (id, workspace, survey_id, customer_key, profile_id, user_id, anonymous_id, email,
                                delivery, language, touchpoint, created_at, expires_at)
VALUES (:id, :workspace, :survey_id, :customer_key, :profile_id, :user_id, :anonymous_id, :email,
        :delivery, :language, :touchpoint, :created_at, :expires_at)
