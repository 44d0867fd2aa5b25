SELECT rowid, id, workspace, journey_id, version, profile_id, user_id, status, node_id, step, wake_at, wait_event, arm, trigger, entered_at, updated_at, ended_at, end_reason
FROM enrolments WHERE status = 'active' AND workspace = ? AND profile_id IN ({rows})
