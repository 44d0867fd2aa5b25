SELECT revision, complete FROM survey_responses WHERE id = :id
