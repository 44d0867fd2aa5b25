-- Trait keys of recent group calls.
SELECT k FROM (
    SELECT unnest(json_keys(t)) AS k FROM (
        SELECT (CASE WHEN json_type(traits) = 'VARCHAR' THEN json(json_extract_string(traits, '$')) ELSE traits END) AS t
        FROM events WHERE workspace = $workspace AND type = 'group' AND traits IS NOT NULL ORDER BY timestamp DESC LIMIT 20000
    ) WHERE json_type(t) = 'OBJECT'
) GROUP BY k ORDER BY count(*) DESC, k LIMIT 100
