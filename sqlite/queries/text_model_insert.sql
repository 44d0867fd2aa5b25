INSERT INTO text_models (id, workspace, name, language, sha256, size, training, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
