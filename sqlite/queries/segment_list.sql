SELECT workspace, id, name, description, persona, definition, version, evaluated_version, size, created_at, updated_at, created_by
FROM segments WHERE workspace = :workspace AND (:persona IS NULL OR persona = :persona) ORDER BY name COLLATE NOCASE, id
