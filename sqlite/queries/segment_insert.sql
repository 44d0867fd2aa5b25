INSERT INTO segments (workspace, id, name, description, persona, definition, version, evaluated_version, size, created_at, updated_at, created_by)
VALUES (:workspace, :id, :name, :description, :persona, :definition, 1, 0, 0, :at, :at, :by)
