-- The property keys of an activity's most recent events (a sample), with
-- how many events carry each and its most common values.
WITH sample AS (
    SELECT properties
    FROM events
    WHERE workspace = $workspace AND properties IS NOT NULL
      AND (CASE type WHEN 'track' THEN event ELSE type || ':' || coalesce(name, '') END) = $activity
    ORDER BY timestamp DESC
    LIMIT $sample
), kv AS (
    SELECT k, json_extract_string(properties, '$."' || replace(k, '"', '') || '"') AS v
    FROM (SELECT properties, unnest(json_keys(properties)) AS k FROM sample)
), counted AS (
    SELECT k, v, count(*) AS n FROM kv GROUP BY k, v
)
SELECT k, sum(n)::BIGINT AS n,
       list(v ORDER BY n DESC, v) FILTER (WHERE v IS NOT NULL AND length(v) <= 80)[1:8] AS vals
FROM counted
GROUP BY k
ORDER BY n DESC, k
LIMIT 50
