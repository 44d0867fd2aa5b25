SELECT EXISTS (SELECT 1 FROM survey_responses WHERE workspace = :workspace AND survey_id = :id)
