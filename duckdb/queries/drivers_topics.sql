-- The topics each sample's customer raised in feedback with text in the
-- days before it, the sample's own comment included.
SELECT DISTINCT key, topic FROM (
    SELECT s.key::VARCHAR AS key, unnest(f.topics) AS topic
    FROM dr_samples s
    JOIN journey_answers b ON b.workspace = s.workspace AND b.pnum = s.pnum AND b.t <= s.t AND b.t >= s.t - $lookback
    JOIN feedback f ON f.workspace = b.workspace AND f.event_id = b.message_id
)
