-- Feedback with text before the cutoff, per customer: its mean sentiment
-- and the topics it mentioned.
SELECT a.pnum, avg(f.sentiment_score), list_distinct(flatten(list(f.topics)))
FROM journey_answers a
JOIN feedback f ON f.workspace = a.workspace AND f.event_id = a.message_id
WHERE a.workspace = $workspace AND a.t < $cutoff AND f.sentiment IS NOT NULL AND f.sentiment_score IS NOT NULL
GROUP BY a.pnum
