SELECT body FROM survey_responses WHERE invitation_id = :invitation_id
