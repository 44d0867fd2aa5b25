SELECT d.id, d.workspace, d.destination_id, d.body, d.attempts, t.url, t.secret
FROM segment_deliveries d JOIN segment_destinations t ON t.workspace = d.workspace AND t.id = d.destination_id
WHERE d.status = 'pending' AND d.next_at <= :now ORDER BY d.next_at, d.id LIMIT :limit
