DELETE FROM text_model_choices WHERE workspace = ? AND language = ?
