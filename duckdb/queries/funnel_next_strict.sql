-- Each attempt moves on only if the customer's very next activity is the
-- next step, within the window of its start (template: .Cur, .Next).
CREATE OR REPLACE TEMP TABLE {{.Next}} AS
SELECT a.pnum, a.start_pos, a.start_t, b.pos, b.t, a.t AS prev_t, a.bd
FROM {{.Cur}} a JOIN (SELECT pnum, pos, t FROM f_ev WHERE step = $step) b
  ON a.pnum = b.pnum AND b.pos = a.pos + 1
WHERE b.t <= a.start_t + $window
