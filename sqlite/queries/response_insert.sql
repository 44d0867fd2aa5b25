INSERT INTO survey_responses (id, workspace, survey_id, invitation_id, customer_key, complete, revision, body, started_at, updated_at)
VALUES (:id, :workspace, :survey_id, :invitation_id, :customer_key, :complete, :revision, :body, :started_at, :updated_at)
