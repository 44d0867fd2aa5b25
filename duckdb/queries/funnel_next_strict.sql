-- Each attempt moves on only if the customer's very next activity is the
-- next step, within the window of its start (template: .Cur, .Next,
-- .Scope over j, .Filtered, .Breakdown).
CREATE OR REPLACE TEMP TABLE {{.Next}} AS
SELECT a.pnum, a.start_pos, a.start_t, b.pos, b.t, a.t AS prev_t, a.single{{if .Breakdown}}, a.bd{{end}}
FROM {{.Cur}} a JOIN (
    SELECT j.pnum, j.pos, j.t FROM journey_events j
    WHERE {{.Scope}} AND j.act = $act AND j.t >= $from AND j.t <= $until
    {{- if .Filtered}} AND j.key IN (SELECT key FROM f_keys WHERE step = $step){{end}}
) b ON a.pnum = b.pnum AND b.pos = a.pos + 1
WHERE b.t <= a.start_t + $window
