-- Events over [from, to) by channel, largest first.
SELECT coalesce(channel, 'unknown') AS label, count(*) AS n
FROM events
WHERE workspace = $workspace AND timestamp >= $from AND timestamp < $to
GROUP BY label
ORDER BY n DESC, label
LIMIT $limit
