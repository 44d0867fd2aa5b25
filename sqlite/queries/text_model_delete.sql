DELETE FROM text_models WHERE workspace = ? AND id = ?
