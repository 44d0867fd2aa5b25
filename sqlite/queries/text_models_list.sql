SELECT id, workspace, name, language, sha256, size, training, created_by, created_at
FROM text_models WHERE workspace = ? ORDER BY created_at DESC, id
