-- The activities in scope, most frequent first (template: .Scope).
SELECT a.activity, count(*) AS n, count(DISTINCT j.pnum) AS profiles
FROM journey_events j
JOIN journey_activities a ON a.code = j.act
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to
GROUP BY a.activity
ORDER BY n DESC, a.activity
LIMIT $limit
