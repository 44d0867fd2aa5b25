UPDATE enrolments SET status = ?, node_id = ?, step = ?, wake_at = ?, wait_event = ?, arm = ?, updated_at = ?, ended_at = ?, end_reason = ? WHERE id = ?
