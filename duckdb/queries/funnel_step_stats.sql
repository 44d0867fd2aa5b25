SELECT count(*), median(dt) / 1e6, median(dt0) / 1e6 FROM f_reached WHERE step = $step
