-- Each customer's purchases before now, by day (template: .Scope).
SELECT j.pnum, j.t // 86400000000 AS day, count(*) AS orders,
       sum(coalesce(TRY_CAST(json_extract_string(e.properties, $revenue) AS DOUBLE), 0)) AS revenue
FROM journey_events j JOIN events e ON e.key = j.key
WHERE {{.Scope}} AND j.act = $act AND j.t < $now
GROUP BY j.pnum, day
ORDER BY j.pnum, day
