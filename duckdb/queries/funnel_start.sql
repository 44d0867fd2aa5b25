-- One attempt per step-1 event in range, with the breakdown value of its
-- event and whether it is its customer's only attempt: the steps after
-- group attempts by customer only for customers with several (template:
-- .Scope over j, .Filtered, .Plain, .Breakdown, .Join, .Key: whether the
-- breakdown reads the events).
CREATE OR REPLACE TEMP TABLE f_a AS
WITH c AS (
    SELECT j.pnum, j.pos, j.t, j.same_prev_t{{if .Key}}, j.key{{end}} FROM journey_events j
    WHERE {{.Scope}} AND j.act = $act AND j.t >= $from AND j.t < $to
    {{- if .Filtered}} AND j.key IN (SELECT key FROM f_keys WHERE step = 1){{end}}
), multi AS (
{{- if .Plain}}
    -- Every event of the activity is an attempt: a customer's earlier
    -- attempt shows as a previous time of the same activity in range.
    SELECT pnum FROM c WHERE c.same_prev_t >= $from
{{- else}}
    SELECT pnum FROM c GROUP BY pnum HAVING count(*) > 1
{{- end}}
)
SELECT c.pnum, c.pos AS start_pos, c.t AS start_t, c.pos, c.t, NULL::BIGINT AS prev_t,
       c.pnum NOT IN (SELECT pnum FROM multi) AS single
       {{- if .Breakdown}}, coalesce(({{.Breakdown}})::VARCHAR, '(none)') AS bd{{end}}
FROM c {{.Join}}
