INSERT INTO outbox (id, workspace, channel, profile_id, user_id, journey_id, version, node_id, enrolment_id, status, attempts, next_at, recipient, context, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, '', ?, ?, ?)
ON CONFLICT (id) DO NOTHING
