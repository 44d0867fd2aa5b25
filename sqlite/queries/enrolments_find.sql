SELECT id, workspace, journey_id, version, profile_id, user_id, status, node_id, step, wake_at, wait_event, arm, trigger, entered_at, updated_at, ended_at, end_reason
FROM enrolments WHERE workspace = :ws AND (:journey IS NULL OR journey_id = :journey) AND (:profile IS NULL OR profile_id = :profile) AND (:status IS NULL OR status = :status)
ORDER BY entered_at DESC, id LIMIT :lim
