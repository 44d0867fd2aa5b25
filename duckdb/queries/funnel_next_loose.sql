-- Each attempt moves on to the first event of the next step after its
-- current one, if that comes within the window of its start. (A hash join
-- and a grouping on the attempt alone: faster here than an ASOF join,
-- which sorts both sides.) The attempts alternate between two tables
-- (template: .Cur, .Next).
CREATE OR REPLACE TEMP TABLE {{.Next}} AS
SELECT a.pnum, a.start_pos, any_value(a.start_t) AS start_t, min(b.pos) AS pos, arg_min(b.t, b.pos) AS t,
       any_value(a.t) AS prev_t, any_value(a.bd) AS bd
FROM {{.Cur}} a JOIN (SELECT pnum, pos, t FROM f_ev WHERE step = $step) b
  ON a.pnum = b.pnum AND b.pos > a.pos AND b.t <= a.start_t + $window
GROUP BY a.pnum, a.start_pos
