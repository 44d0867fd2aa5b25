SELECT language, model_id FROM text_model_choices WHERE workspace = ?
