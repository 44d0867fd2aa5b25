DELETE FROM sessions WHERE expires_at <= ? OR last_seen <= ?
