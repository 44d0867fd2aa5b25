SELECT secret FROM messaging_secrets WHERE workspace = ?
