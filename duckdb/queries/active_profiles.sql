-- The profiles with the most recent events, most recent first.
SELECT profile_id
FROM profile_events
WHERE workspace = $workspace AND timestamp >= (
    SELECT max(timestamp) - INTERVAL 30 DAY FROM events WHERE workspace = $workspace
)
GROUP BY profile_id
ORDER BY max(timestamp) DESC, profile_id
LIMIT $limit
