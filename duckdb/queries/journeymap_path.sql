-- Example customers' activities in range, in order, one query for all
-- (template: .Table).
SELECT j.pnum, list(j.act ORDER BY j.pos) AS path FROM {{.Table}} j
WHERE j.workspace = $workspace AND list_contains($pnums, j.pnum) AND j.t >= $from AND j.t < $to
GROUP BY j.pnum
