-- Only the next revision of a response that is not complete is written.
UPDATE survey_responses SET complete = :complete, revision = :revision, body = :body, updated_at = :updated_at
WHERE id = :id AND workspace = :workspace AND revision = :revision - 1 AND complete = 0
