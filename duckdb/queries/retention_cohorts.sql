-- Each customer's first start activity in range, the period it falls in
-- (template: .Index, an integer period number of a time in microseconds),
-- and their cohort (template: .Scope, .Start, .Cohort, .Join).
CREATE OR REPLACE TEMP TABLE r_cohort AS
SELECT f.pnum, f.t0, {{printf .Index "f.t0"}} AS c0, {{.Cohort}} AS cohort
FROM (
    SELECT j.pnum, min(j.t) AS t0 FROM journey_events j
    WHERE {{.Scope}} AND j.t >= $from AND j.t < $to {{if .Start}}AND j.act = $start{{end}}
    GROUP BY j.pnum
) f
{{.Join}}
