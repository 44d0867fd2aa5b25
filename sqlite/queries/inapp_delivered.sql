UPDATE inapp_messages SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL
