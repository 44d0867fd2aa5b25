-- Topics of a workspace's feedback with how many items carry each, by
-- sentiment, most common first.
SELECT t.value AS topic, count(*) AS n,
       count(*) FILTER (WHERE f.sentiment = 'positive'),
       count(*) FILTER (WHERE f.sentiment = 'neutral'),
       count(*) FILTER (WHERE f.sentiment = 'negative')
FROM feedback f, json_each(f.topics) t
WHERE f.workspace = :workspace
  AND (:source IS NULL OR f.source = :source)
  AND (:kind IS NULL OR f.kind = :kind)
  AND (:channel IS NULL OR f.channel = :channel)
  AND (:survey_id IS NULL OR f.survey_id = :survey_id)
  AND (:language IS NULL OR f.language = :language)
  AND (:flagged IS NULL OR f.flagged = :flagged)
  AND (:since IS NULL OR f.created_at >= :since)
  AND (:until IS NULL OR f.created_at < :until)
GROUP BY t.value
ORDER BY n DESC, topic
LIMIT :limit
