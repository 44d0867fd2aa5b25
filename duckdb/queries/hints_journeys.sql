-- Journeys customers entered.
SELECT j FROM (
    SELECT json_extract_string((CASE WHEN json_type(properties) = 'VARCHAR' THEN json(json_extract_string(properties, '$')) ELSE properties END), '$.journey_id') AS j
    FROM events WHERE workspace = $workspace AND type = 'track' AND event = 'journey.entered'
) WHERE j IS NOT NULL GROUP BY j ORDER BY count(*) DESC LIMIT 100
