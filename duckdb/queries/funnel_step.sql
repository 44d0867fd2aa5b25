INSERT INTO f_steps VALUES ($step, $act, $filtered)
