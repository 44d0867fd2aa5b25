-- A segment's destinations with their delivery counts and latest failure.
SELECT t.id, t.segment_id, t.name, t.url, t.created_at,
    (SELECT count(*) FROM segment_deliveries d WHERE d.workspace = t.workspace AND d.destination_id = t.id AND d.status = 'pending'),
    (SELECT count(*) FROM segment_deliveries d WHERE d.workspace = t.workspace AND d.destination_id = t.id AND d.status = 'delivered'),
    (SELECT count(*) FROM segment_deliveries d WHERE d.workspace = t.workspace AND d.destination_id = t.id AND d.status = 'failed'),
    (SELECT d.last_error FROM segment_deliveries d WHERE d.workspace = t.workspace AND d.destination_id = t.id AND d.last_error IS NOT NULL ORDER BY d.id DESC LIMIT 1),
    (SELECT max(d.done_at) FROM segment_deliveries d WHERE d.workspace = t.workspace AND d.destination_id = t.id)
FROM segment_destinations t WHERE t.workspace = :workspace AND t.segment_id = :segment ORDER BY t.created_at
