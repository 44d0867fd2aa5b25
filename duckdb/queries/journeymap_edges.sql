-- Each transition: one activity directly followed by another for the same
-- customer, both inside the range (template: .Table, .Scope, .Bounded).
SELECT j.act, j.next_act,
       count(*) AS n,
{{- if .Bounded}}
       count(*) FILTER (WHERE j.edge_prev_t IS NULL OR j.edge_prev_t < $from) AS profiles,
{{- else}}
       count(*) FILTER (WHERE j.flags & 16 <> 0) AS profiles,
{{- end}}
       quantile_cont(j.dt, [0.5, 0.9]) AS q
FROM {{.Table}} j
WHERE {{.Scope}} AND j.next_act IS NOT NULL {{if .Bounded}}AND j.t >= $from AND j.next_t < $to{{end}}
GROUP BY j.act, j.next_act
