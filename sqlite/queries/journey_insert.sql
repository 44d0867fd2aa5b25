INSERT INTO journeys (workspace, id, status, draft, active_version, created_at, updated_at, updated_by)
VALUES (?, ?, 'draft', ?, 0, ?, ?, ?)
ON CONFLICT (workspace, id) DO UPDATE SET draft = excluded.draft, updated_at = excluded.updated_at, updated_by = excluded.updated_by
