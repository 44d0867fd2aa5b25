SELECT s.workspace, s.id, s.name, s.description, s.persona, s.definition, s.version, s.evaluated_version, s.size, s.created_at, s.updated_at, s.created_by
FROM segment_members m JOIN segments s ON s.workspace = m.workspace AND s.id = m.segment_id
WHERE m.workspace = :workspace AND m.profile_id = :profile ORDER BY s.name COLLATE NOCASE
