-- Each transition: one activity directly followed by another for the same
-- customer, both inside the range (template: .Table, .Scope).
SELECT j.act, j.next_act,
       count(*) AS n,
       count(*) FILTER (WHERE j.edge_prev_t IS NULL OR j.edge_prev_t < $from) AS profiles,
       median(j.next_t - j.t) / 1e6 AS median_seconds,
       quantile_cont(j.next_t - j.t, 0.9) / 1e6 AS p90_seconds
FROM {{.Table}} j
WHERE {{.Scope}} AND j.t >= $from AND j.next_t < $to AND j.next_act IS NOT NULL
GROUP BY j.act, j.next_act
