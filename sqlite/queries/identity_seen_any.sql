-- Which of many event ids were already applied.
SELECT event_id FROM identity_seen WHERE workspace = ? AND event_id IN ({rows})
