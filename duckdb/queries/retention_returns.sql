-- Customers of each cohort doing the return activity k periods after the
-- period they joined in (template: .Scope, .Return, .Index).
SELECT cohort, k, count(*) AS n
FROM (
    SELECT DISTINCT c.cohort, c.pnum, {{printf .Index "j.t"}} - c.c0 AS k
    FROM journey_events j JOIN r_cohort c ON c.pnum = j.pnum
    WHERE {{.Scope}} AND j.t >= c.t0 {{if .Return}}AND j.act = $return{{end}}
)
WHERE k BETWEEN 0 AND $periods
GROUP BY cohort, k
