INSERT INTO journey_counters (workspace, journey_id, version, node_id, metric, n) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace, journey_id, version, node_id, metric) DO UPDATE SET n = n + excluded.n
