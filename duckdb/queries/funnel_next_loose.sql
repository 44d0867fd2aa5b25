-- Each attempt moves on to the first event of the next step after its
-- current one, if that comes within the window of its start (template:
-- .Cur, .Next, .Scope over j, .Filtered, .Unique, .Breakdown: whether
-- attempts carry a breakdown value). The attempts alternate between two
-- tables, as narrow as they can be: every column costs in the join.
--
-- When every event of the activity can be the step (.Unique: no
-- conditions, no channel filter), the first one after the attempt's
-- position is the only one whose previous event of the same activity is
-- not after that position, so the join matches at most one row and needs
-- no grouping. Otherwise the attempt keeps the earliest of its matches.
{{- define "events"}}(
    SELECT j.pnum, j.pos, j.t, j.same_prev_pos FROM journey_events j
    WHERE {{.Scope}} AND j.act = $act AND j.t >= $from AND j.t <= $until
    {{- if .Filtered}} AND j.key IN (SELECT key FROM f_keys WHERE step = $step){{end}}
){{end}}
CREATE OR REPLACE TEMP TABLE {{.Next}} AS
{{- if .Unique}}
SELECT a.pnum, a.start_pos, a.start_t, b.pos, b.t, a.t AS prev_t, a.single{{if .Breakdown}}, a.bd{{end}}
FROM {{.Cur}} a JOIN {{template "events" .}} b
  ON a.pnum = b.pnum AND b.pos > a.pos AND coalesce(b.same_prev_pos, 0) <= a.pos AND b.t <= a.start_t + $window
{{- else}}
SELECT a.pnum, a.start_pos, any_value(a.start_t) AS start_t, min(b.pos) AS pos, arg_min(b.t, b.pos) AS t,
       any_value(a.t) AS prev_t, any_value(a.single) AS single{{if .Breakdown}}, any_value(a.bd) AS bd{{end}}
FROM {{.Cur}} a JOIN {{template "events" .}} b
  ON a.pnum = b.pnum AND b.pos > a.pos AND b.t <= a.start_t + $window
GROUP BY a.pnum, a.start_pos
{{- end}}
