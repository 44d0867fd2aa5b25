-- Customers at the current step, and their times from the previous step
-- and from the start, each taken from their earliest attempt that got here.
CREATE OR REPLACE TEMP TABLE f_best AS
SELECT pnum, arg_min(t - prev_t, start_pos) AS dt, arg_min(t - start_t, start_pos) AS dt0 FROM f_cur GROUP BY pnum
