-- The workspace's busiest channels (at most six), for persona features.
SELECT channel FROM events WHERE workspace = $workspace AND channel IS NOT NULL AND channel <> ''
GROUP BY channel ORDER BY count(*) DESC, channel LIMIT 6
