SELECT workspace, id, name, description, persona, definition, version, evaluated_version, size, created_at, updated_at, created_by
FROM segments ORDER BY workspace, id
