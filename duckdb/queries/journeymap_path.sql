-- One customer's activities in range, in order (template: .Table).
SELECT j.act FROM {{.Table}} j
WHERE j.workspace = $workspace AND j.pnum = $pnum AND j.t >= $from AND j.t < $to
ORDER BY j.pos
