-- Newest first; seq breaks ties between events of the same instant.
SELECT workspace, message_id, type, event, name, category, user_id, anonymous_id,
       group_id, previous_id, source_id, channel, timestamp, original_timestamp,
       sent_at, received_at, properties::VARCHAR, traits::VARCHAR, context::VARCHAR, integrations::VARCHAR
FROM events
WHERE workspace = $workspace
  AND ($user_id IS NULL OR user_id = $user_id)
  AND ($anonymous_id IS NULL OR anonymous_id = $anonymous_id)
  AND ($type IS NULL OR type = $type)
  AND ($event IS NULL OR event = $event)
ORDER BY timestamp DESC, seq DESC, message_id DESC
LIMIT $limit
