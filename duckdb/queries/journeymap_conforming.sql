-- Customers who took a transition between two designed activities that
-- the design does not have (template: .Table, .Scope).
SELECT count(DISTINCT j.pnum)
FROM {{.Table}} j
WHERE {{.Scope}} AND j.t >= $from AND j.next_t < $to
  AND list_contains($acts, j.act) AND list_contains($acts, j.next_act)
  AND NOT list_contains($edges, j.act::BIGINT * 4294967296 + j.next_act)
