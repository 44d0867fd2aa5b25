SELECT coalesce(max(t), 0) FROM journey_events WHERE workspace = $workspace
