SELECT body FROM survey_responses WHERE workspace = :workspace AND id = :id
