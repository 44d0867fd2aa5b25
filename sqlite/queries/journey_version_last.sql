SELECT coalesce(max(version), 0) FROM journey_versions WHERE workspace = ? AND journey_id = ?
