-- Feedback events (survey answers, tickets, reviews) with the touchpoint
-- they follow. Of the steps of one response, the last in path order stands
-- for it; an event without a response_id is a response of its own.
INSERT INTO journey_answers
SELECT j.workspace, j.key, r.message_id, j.pnum, j.t, j.touch_act,
       lower(json_extract_string(e.properties, '$.survey_type')),
       TRY_CAST(json_extract_string(e.properties, '$.score') AS DOUBLE),
       TRY_CAST(json_extract_string(e.properties, '$.max_score') AS DOUBLE),
       json_extract_string(e.properties, '$.touchpoint'),
       json_extract_string(e.properties, '$.response_id'),
       row_number() OVER (PARTITION BY j.workspace, j.pnum, coalesce(json_extract_string(e.properties, '$.response_id'), r.key::VARCHAR)
                          ORDER BY j.t DESC, r.seq DESC, r.message_id DESC) = 1
FROM jr_events r
JOIN journey_events j ON j.key = r.key
JOIN events e ON e.key = r.key
WHERE r.activity IN ('Survey Responded', 'Feedback Received')
