UPDATE outbox SET status = ?, attempts = ?, next_at = ?, last_error = ?, provider_id = ?, recipient = ?, updated_at = ?, sent_at = ? WHERE id = ?
