-- Customers active per UTC day over [from, to), and customers whose first
-- event ever fell on that day. Events count for the profile they belong to
-- now, so a merge shows at once.
WITH firsts AS (
    SELECT profile_id, min(timestamp) AS first_at
    FROM profile_events
    WHERE workspace = $workspace AND timestamp < $to
    GROUP BY profile_id
), active AS (
    SELECT CAST(date_trunc('day', timezone('UTC', timestamp)) AS DATE) AS day, count(DISTINCT profile_id) AS n
    FROM profile_events
    WHERE workspace = $workspace AND timestamp >= $from AND timestamp < $to
    GROUP BY day
), fresh AS (
    SELECT CAST(date_trunc('day', timezone('UTC', first_at)) AS DATE) AS day, count(*) AS n
    FROM firsts
    WHERE first_at >= $from
    GROUP BY day
)
SELECT coalesce(active.day, fresh.day) AS day, coalesce(active.n, 0) AS active, coalesce(fresh.n, 0) AS new
FROM active FULL OUTER JOIN fresh ON active.day = fresh.day
ORDER BY day
