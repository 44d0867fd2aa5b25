UPDATE outbox SET status = 'sending', attempts = attempts + 1, recipient = ?, updated_at = ? WHERE id = ? AND status = 'pending'
