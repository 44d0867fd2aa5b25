-- One attempt per step-1 event in range (template: .Breakdown, .Join).
CREATE OR REPLACE TEMP TABLE f_a AS
SELECT f.pnum, f.pos AS start_pos, f.t AS start_t, f.pos, f.t, NULL::BIGINT AS prev_t,
       {{if .Breakdown}}coalesce(({{.Breakdown}})::VARCHAR, '(none)'){{else}}NULL::VARCHAR{{end}} AS bd
FROM f_ev f {{.Join}}
WHERE f.step = 1 AND f.t >= $from AND f.t < $to
