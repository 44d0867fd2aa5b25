-- Event names and page names by how often they occur, for the builder.
SELECT type, coalesce(CASE WHEN type = 'track' THEN event ELSE name END, '') AS n
FROM events WHERE workspace = $workspace AND type IN ('track', 'page', 'screen')
GROUP BY ALL ORDER BY count(*) DESC LIMIT 300
