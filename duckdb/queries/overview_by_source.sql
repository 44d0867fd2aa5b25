-- Events over [from, to) by source, largest first.
SELECT coalesce(source_id, 'unknown') AS label, count(*) AS n
FROM events
WHERE workspace = $workspace AND timestamp >= $from AND timestamp < $to
GROUP BY label
ORDER BY n DESC, label
LIMIT $limit
