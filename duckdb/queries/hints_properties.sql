-- Property keys of recent track events, per event name.
SELECT event, k FROM (
    SELECT event, unnest(json_keys(p)) AS k FROM (
        SELECT event, (CASE WHEN json_type(properties) = 'VARCHAR' THEN json(json_extract_string(properties, '$')) ELSE properties END) AS p
        FROM events WHERE workspace = $workspace AND type = 'track' AND properties IS NOT NULL ORDER BY timestamp DESC LIMIT 50000
    ) WHERE json_type(p) = 'OBJECT'
) GROUP BY ALL ORDER BY count(*) DESC LIMIT 2000
