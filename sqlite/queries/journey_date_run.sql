INSERT INTO journey_date_runs (workspace, journey_id, version, day) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
