-- What each answering customer did, and on which channels, in the days
-- before their answer.
SELECT DISTINCT a.key::VARCHAR, e.act, e.channel
FROM journey_answers a
JOIN journey_events e ON e.workspace = a.workspace AND e.pnum = a.pnum AND e.t < a.t AND e.t >= a.t - $lookback
WHERE a.workspace = $workspace AND a.t >= $from AND a.t < $to AND a.survey_type = $type AND a.score IS NOT NULL
