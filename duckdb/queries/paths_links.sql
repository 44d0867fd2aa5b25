-- Transitions between consecutive places on the paths; -1 marks a path
-- that ends (or, looking back, begins) there.
SELECT g.i AS place, p.path[g.i + 1] AS a, coalesce(p.path[g.i + 2], -1) AS b, count(*) AS n
FROM p_paths p, range(0, $steps) g(i)
WHERE len(p.path) >= g.i + 1
GROUP BY ALL
