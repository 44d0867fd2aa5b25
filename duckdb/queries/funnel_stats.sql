-- The customers at the current step, with their times from the previous
-- step and from the start, each taken from their earliest attempt that
-- got here.
INSERT INTO f_reached
SELECT $step, pnum, arg_min(t - prev_t, start_pos), arg_min(t - start_t, start_pos) FROM f_cur GROUP BY pnum
