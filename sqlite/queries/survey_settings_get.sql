SELECT cooldown_days, secret, updated_at FROM survey_settings WHERE workspace = :workspace
