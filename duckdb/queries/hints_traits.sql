-- Trait keys of a sample of profiles.
SELECT k FROM (
    SELECT unnest(json_keys(t)) AS k FROM (
        SELECT (CASE WHEN json_type(traits) = 'VARCHAR' THEN json(json_extract_string(traits, '$')) ELSE traits END) AS t
        FROM profile_traits WHERE workspace = $workspace LIMIT 20000
    ) WHERE json_type(t) = 'OBJECT'
) GROUP BY k ORDER BY count(*) DESC, k LIMIT 200
