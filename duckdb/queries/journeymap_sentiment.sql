-- The sentiment of feedback with text per touchpoint it follows (template:
-- .Scope over j). Feedback facts name the event they were made from; the
-- journey row of that event says which profile it belongs to now and what
-- the customer did before it.
SELECT j.touch_act,
       count(*) AS n,
       sum(f.sentiment_score) AS total,
       count(*) FILTER (WHERE f.sentiment = 'positive') AS positive,
       count(*) FILTER (WHERE f.sentiment = 'neutral') AS neutral,
       count(*) FILTER (WHERE f.sentiment = 'negative') AS negative
FROM journey_answers j
JOIN feedback f ON f.workspace = j.workspace AND f.event_id = j.message_id
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to AND j.touch_act IS NOT NULL
  AND f.sentiment IS NOT NULL AND f.sentiment_score IS NOT NULL
GROUP BY j.touch_act
