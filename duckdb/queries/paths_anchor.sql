-- Each customer's first anchor activity in range (template: .Scope, .Act).
CREATE OR REPLACE TEMP TABLE p_anchor AS
SELECT j.pnum, min(j.pos) AS pos
FROM journey_events j
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to {{if .Act}}AND j.act = {{.Act}}{{end}}
GROUP BY j.pnum
