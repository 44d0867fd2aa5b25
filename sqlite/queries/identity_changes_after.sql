SELECT seq, workspace, row_id, kind, value, profile_id, traits FROM identity_changes WHERE seq > ? ORDER BY seq LIMIT ?
