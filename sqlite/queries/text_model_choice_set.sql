INSERT INTO text_model_choices (workspace, language, model_id, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (workspace, language) DO UPDATE SET model_id = excluded.model_id, updated_by = excluded.updated_by, updated_at = excluded.updated_at
