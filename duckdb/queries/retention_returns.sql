-- Customers of each cohort doing the return activity k periods after the
-- period they joined in (template: .Scope, .Return, .Period).
SELECT c.cohort, k, count(DISTINCT c.pnum) AS n
FROM (
    SELECT c.cohort, c.pnum, date_diff('{{.Period}}', c.c0, date_trunc('{{.Period}}', make_timestamp(j.t))) AS k
    FROM journey_events j JOIN r_cohort c ON c.pnum = j.pnum
    WHERE {{.Scope}} AND j.t >= c.t0 {{if .Return}}AND j.act = $return{{end}}
      AND j.t < epoch_us(c.c0 + to_{{.Period}}s($periods + 1))
) c
GROUP BY c.cohort, k
