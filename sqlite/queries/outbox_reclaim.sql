UPDATE outbox SET status = 'pending', next_at = ?, last_error = 'reconciled after an interrupted send', updated_at = ? WHERE status = 'sending'
