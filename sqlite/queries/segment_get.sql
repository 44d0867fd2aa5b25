SELECT workspace, id, name, description, persona, definition, version, evaluated_version, size, created_at, updated_at, created_by
FROM segments WHERE workspace = :workspace AND id = :id
