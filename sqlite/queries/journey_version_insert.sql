INSERT INTO journey_versions (workspace, journey_id, version, definition, published_at, published_by) VALUES (?, ?, ?, ?, ?, ?)
