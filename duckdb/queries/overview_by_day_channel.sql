-- Events per UTC day and channel over [from, to).
SELECT CAST(date_trunc('day', timezone('UTC', timestamp)) AS DATE) AS day, coalesce(channel, 'unknown') AS channel, count(*) AS n
FROM events
WHERE workspace = $workspace AND timestamp >= $from AND timestamp < $to
GROUP BY ALL
ORDER BY day, channel
