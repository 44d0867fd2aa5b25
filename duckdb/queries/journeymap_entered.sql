-- Customers who did at least one designed activity (template: .Table, .Scope).
SELECT count(DISTINCT j.pnum) FROM {{.Table}} j
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to AND list_contains($acts, j.act)
