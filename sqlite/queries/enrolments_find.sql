SELECT e.id, e.workspace, e.journey_id, e.version, e.profile_id, e.user_id, e.status, e.node_id, e.step, e.wake_at, e.wait_event, e.arm,
    coalesce(t.trigger, ''), e.entered_at, e.updated_at, e.ended_at, e.end_reason
FROM enrolments e LEFT JOIN enrolment_triggers t ON t.id = e.id
WHERE e.workspace = :ws AND (:journey IS NULL OR e.journey_id = :journey) AND (:profile IS NULL OR e.profile_id = :profile) AND (:status IS NULL OR e.status = :status)
ORDER BY e.entered_at DESC, e.id LIMIT :lim
