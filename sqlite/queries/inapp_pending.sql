SELECT id, title, body, url, created_at, delivered_at IS NULL FROM inapp_messages
WHERE workspace = ? AND seen_at IS NULL AND expires_at > ? AND profile_id IN ({rows})
