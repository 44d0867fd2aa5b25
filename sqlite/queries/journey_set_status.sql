UPDATE journeys SET status = ?, active_version = ?, updated_at = ?, updated_by = ? WHERE workspace = ? AND id = ?
