-- The customers at the current step and the attempts that got there, with
-- the median times from the previous step and from the start, each
-- customer's taken from their earliest attempt that got here (template:
-- .Cur, .First). Customers with one attempt need no grouping.
{{- if .First}}
SELECT count(*) FILTER (WHERE single) + count(DISTINCT pnum) FILTER (WHERE NOT single), count(*), NULL::DOUBLE, NULL::DOUBLE
FROM {{.Cur}}
{{- else}}
SELECT count(*), (SELECT count(*) FROM {{.Cur}}), median(dt) / 1e6, median(dt0) / 1e6 FROM (
    SELECT t - prev_t AS dt, t - start_t AS dt0 FROM {{.Cur}} WHERE single
    UNION ALL
    SELECT arg_min(t - prev_t, start_pos), arg_min(t - start_t, start_pos) FROM {{.Cur}} WHERE NOT single GROUP BY pnum
)
{{- end}}
