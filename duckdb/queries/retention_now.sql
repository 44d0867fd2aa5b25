-- The latest activity of the workspace: "now" for a grid without an end.
SELECT coalesce(max(t), 0) FROM journey_events WHERE workspace = $workspace
