SELECT id, workspace, channel, profile_id, user_id, journey_id, version, node_id, enrolment_id, status, attempts, next_at, last_error, provider_id, recipient, context, created_at, updated_at, sent_at
FROM outbox WHERE status = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?
