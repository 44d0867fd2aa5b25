INSERT INTO f_reached SELECT $step, pnum FROM f_best
