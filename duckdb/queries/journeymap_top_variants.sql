SELECT v, n, count(*) AS profiles, min(pnum) AS example
FROM jm_variants GROUP BY v, n ORDER BY profiles DESC, n, v LIMIT $limit
