SELECT language FROM text_model_choices WHERE workspace = ? AND model_id = ? ORDER BY language
