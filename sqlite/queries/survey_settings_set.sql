UPDATE survey_settings SET cooldown_days = :cooldown_days, updated_at = :updated_at WHERE workspace = :workspace
