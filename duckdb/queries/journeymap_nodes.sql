-- Each activity of the map (template: .Table, .Scope, .Bounded). The
-- neighbour columns count distinct customers inside a range without a
-- DISTINCT: a customer's first occurrence in range is the one whose
-- previous occurrence lies before it. Without a range, the flags say it.
SELECT j.act,
       count(*) AS n,
{{- if .Bounded}}
       count(*) FILTER (WHERE j.same_prev_t IS NULL OR j.same_prev_t < $from) AS profiles,
       count(*) FILTER (WHERE j.prev_t IS NULL OR j.prev_t < $from) AS starts,
       count(*) FILTER (WHERE j.next_t IS NULL OR j.next_t >= $to) AS exits,
       count(*) FILTER (WHERE j.same_prev_t >= $from AND (j.same_prev2_t IS NULL OR j.same_prev2_t < $from)) AS repeaters
FROM {{.Table}} j
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to
{{- else}}
       count(*) FILTER (WHERE j.flags & 1 <> 0) AS profiles,
       count(*) FILTER (WHERE j.flags & 2 <> 0) AS starts,
       count(*) FILTER (WHERE j.flags & 4 <> 0) AS exits,
       count(*) FILTER (WHERE j.flags & 8 <> 0) AS repeaters
FROM {{.Table}} j
WHERE {{.Scope}}
{{- end}}
GROUP BY j.act
