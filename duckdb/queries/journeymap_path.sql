-- Example customers' activities in range, in order, one query for all
-- (template: .Table, .Pnums: profile numbers the caller rendered).
SELECT j.pnum, list(j.act ORDER BY j.pos) AS path FROM {{.Table}} j
WHERE j.workspace = $workspace AND j.pnum IN ({{.Pnums}}) AND j.t >= $from AND j.t < $to
GROUP BY j.pnum
