SELECT workspace, journey_id, version, definition, published_at, published_by FROM journey_versions WHERE workspace = ? AND journey_id = ? AND version = ?
