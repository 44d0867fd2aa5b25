-- A customer's events in time order, found by every user id and anonymous
-- id their profile holds: merges and unmerges show at once because the
-- identifiers come from identity resolution, not from the stored events.
SELECT workspace, message_id, type, event, name, category, user_id, anonymous_id,
       group_id, previous_id, source_id, channel, timestamp, original_timestamp,
       sent_at, received_at, properties::VARCHAR, traits::VARCHAR, context::VARCHAR, integrations::VARCHAR
FROM events
WHERE workspace = $workspace
  AND (list_contains($user_ids, user_id) OR list_contains($anonymous_ids, anonymous_id))
  AND ($since IS NULL OR timestamp >= $since)
ORDER BY timestamp, seq, message_id
LIMIT $limit
