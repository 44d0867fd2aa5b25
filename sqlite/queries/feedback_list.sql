SELECT body FROM feedback
WHERE workspace = :workspace
  AND (:source IS NULL OR source = :source)
  AND (:kind IS NULL OR kind = :kind)
  AND (:channel IS NULL OR channel = :channel)
  AND (:survey_id IS NULL OR survey_id = :survey_id)
  AND (:sentiment IS NULL OR sentiment = :sentiment)
  AND (:language IS NULL OR language = :language)
  AND (:topic IS NULL OR EXISTS (SELECT 1 FROM json_each(topics) WHERE value = :topic))
  AND (:customer = 0
       OR user_id IN (SELECT value FROM json_each(:user_ids))
       OR anonymous_id IN (SELECT value FROM json_each(:anonymous_ids))
       OR email IN (SELECT value FROM json_each(:emails)))
  AND (:flagged IS NULL OR flagged = :flagged)
  AND (:has_text IS NULL OR (coalesce(text, '') <> '') = :has_text)
  AND (:min_score IS NULL OR score >= :min_score)
  AND (:max_score IS NULL OR score <= :max_score)
  AND (:q IS NULL OR text LIKE '%' || :q || '%' ESCAPE '\')
  AND (:since IS NULL OR created_at >= :since)
  AND (:until IS NULL OR created_at < :until)
  AND (:before IS NULL OR (created_at, id) < (SELECT created_at, id FROM feedback WHERE workspace = :workspace AND id = :before))
ORDER BY created_at DESC, id DESC
LIMIT :limit
