SELECT rowid, id, workspace, journey_id, version, profile_id, user_id, status, node_id, step, wake_at, wait_event, arm, trigger, entered_at, updated_at, ended_at, end_reason
FROM enrolments WHERE wake_at IS NOT NULL AND wake_at <= ? ORDER BY wake_at LIMIT ?
