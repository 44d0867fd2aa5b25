SELECT workspace, id, status, draft, active_version, created_at, updated_at, updated_by FROM journeys WHERE workspace = ? AND id = ?
