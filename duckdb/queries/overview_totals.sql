-- Events and distinct customers over [from, to).
SELECT count(*) AS events, count(DISTINCT profile_id) AS customers
FROM profile_events
WHERE workspace = $workspace AND timestamp >= $from AND timestamp < $to
