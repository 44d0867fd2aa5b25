-- Events over [from, to) by event name (track calls) or call type (the others), largest first.
SELECT CASE WHEN type = 'track' THEN event ELSE type END AS label, count(*) AS n
FROM events
WHERE workspace = $workspace AND timestamp >= $from AND timestamp < $to
GROUP BY label
ORDER BY n DESC, label
LIMIT $limit
