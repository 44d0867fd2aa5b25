-- A new definition: the version goes up, so the engine evaluates it anew.
UPDATE segments SET name = :name, description = :description, persona = :persona, definition = :definition,
    version = version + 1, updated_at = :at
WHERE workspace = :workspace AND id = :id
RETURNING version
