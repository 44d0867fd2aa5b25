-- The topics of feedback with text per touchpoint it follows, with how
-- many of the items mentioning each were negative (template: .Scope over j).
SELECT touch_act, topic, count(*) AS n, count(*) FILTER (WHERE sentiment = 'negative') AS negative
FROM (
    SELECT j.touch_act, unnest(f.topics) AS topic, f.sentiment
    FROM journey_answers j
    JOIN feedback f ON f.workspace = j.workspace AND f.event_id = j.message_id
    WHERE {{.Scope}} AND j.t >= $from AND j.t < $to AND j.touch_act IS NOT NULL
      AND f.sentiment IS NOT NULL AND f.sentiment_score IS NOT NULL
)
GROUP BY touch_act, topic
