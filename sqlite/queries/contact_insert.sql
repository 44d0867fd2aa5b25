INSERT INTO contact_log (workspace, profile_id, at, channel, message_id) VALUES (?, ?, ?, ?, ?)
