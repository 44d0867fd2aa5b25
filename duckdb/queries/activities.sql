-- The activities in scope, most frequent first (template: .Scope,
-- .Distinct). A customer's first occurrence of an activity in range is the
-- one whose previous occurrence lies before it, so customers are counted
-- without a DISTINCT; a channel filter hides some occurrences, and then
-- they are counted with one.
SELECT a.activity, count(*) AS n,
{{- if .Distinct}}
       count(DISTINCT j.pnum) AS profiles
{{- else}}
       count(*) FILTER (WHERE j.same_prev_t IS NULL OR j.same_prev_t < $from) AS profiles
{{- end}}
FROM journey_events j
JOIN journey_activities a ON a.code = j.act
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to
GROUP BY a.activity
ORDER BY n DESC, a.activity
LIMIT $limit
