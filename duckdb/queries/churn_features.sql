-- One row per customer active in the three horizons before the cutoff,
-- with what they did before it and whether they did anything in the
-- horizon after it (template: .Scope, .Acts: activity codes, rendered as
-- integers).
SELECT j.pnum,
       (max(j.t) FILTER (WHERE j.t < $cutoff) IS NOT NULL) AS seen,
       ($cutoff - max(j.t) FILTER (WHERE j.t < $cutoff)) / 86400e6 AS recency_days,
       ($cutoff - min(j.t)) / 86400e6 AS tenure_days,
       count(*) FILTER (WHERE j.t >= $since AND j.t < $cutoff) AS recent_events,
       count(DISTINCT j.channel) FILTER (WHERE j.t < $cutoff) AS channels,
       count(*) FILTER (WHERE j.t >= $cutoff AND j.t < $until) = 0 AS churned
       {{- range $i, $c := .Acts}},
       count(*) FILTER (WHERE j.act = {{$c}} AND j.t < $cutoff) AS a{{$i}}
       {{- end}}
FROM journey_events j
WHERE {{.Scope}} AND j.t < $until
GROUP BY j.pnum
HAVING max(j.t) FILTER (WHERE j.t < $cutoff) >= $since
