SELECT settings FROM messaging_settings WHERE workspace = ?
