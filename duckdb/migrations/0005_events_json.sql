-- Events stored before this migration held their JSON columns as JSON
-- strings wrapping the object ("{\"plan\":\"pro\"}"), so JSON functions
-- could not see inside them. Unwrap them; new events are stored as objects.
UPDATE events SET
    properties   = CASE WHEN json_type(properties) = 'VARCHAR' THEN json_extract_string(properties, '$')::JSON ELSE properties END,
    traits       = CASE WHEN json_type(traits) = 'VARCHAR' THEN json_extract_string(traits, '$')::JSON ELSE traits END,
    context      = CASE WHEN json_type(context) = 'VARCHAR' THEN json_extract_string(context, '$')::JSON ELSE context END,
    integrations = CASE WHEN json_type(integrations) = 'VARCHAR' THEN json_extract_string(integrations, '$')::JSON ELSE integrations END
WHERE json_type(properties) = 'VARCHAR' OR json_type(traits) = 'VARCHAR'
   OR json_type(context) = 'VARCHAR' OR json_type(integrations) = 'VARCHAR';
