SELECT id, workspace, channel, profile_id, user_id, journey_id, version, node_id, enrolment_id, status, attempts, next_at, last_error, provider_id, recipient, context, created_at, updated_at, sent_at
FROM outbox WHERE workspace = :ws AND (:status IS NULL OR status = :status) AND (:profile IS NULL OR profile_id = :profile) AND (:journey IS NULL OR journey_id = :journey)
ORDER BY created_at DESC, id LIMIT :lim
