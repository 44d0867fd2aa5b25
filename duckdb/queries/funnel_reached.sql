INSERT INTO f_reached SELECT DISTINCT $step, pnum FROM f_cur
