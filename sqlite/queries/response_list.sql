SELECT body FROM survey_responses
WHERE workspace = :workspace
  AND (:survey_id IS NULL OR survey_id = :survey_id)
  AND (:customers IS NULL OR customer_key IN (SELECT value FROM json_each(:customers)))
  AND (:since IS NULL OR started_at >= :since)
  AND (:before IS NULL OR (started_at, id) < (SELECT started_at, id FROM survey_responses WHERE id = :before))
ORDER BY started_at DESC, id DESC
LIMIT :limit
