INSERT INTO journey_answers
SELECT j.workspace, j.key, j.pnum, j.t, j.touch_act,
       lower(json_extract_string(e.properties, '$.survey_type')),
       TRY_CAST(json_extract_string(e.properties, '$.score') AS DOUBLE),
       TRY_CAST(json_extract_string(e.properties, '$.max_score') AS DOUBLE),
       json_extract_string(e.properties, '$.touchpoint')
FROM jr_events r
JOIN journey_events j ON j.key = r.key
JOIN events e ON e.key = r.key
WHERE r.activity = 'Survey Responded'
