DELETE FROM contact_log WHERE message_id = ?
