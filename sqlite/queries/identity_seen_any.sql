-- Which of many event ids were already applied; the caller appends
-- "(?, ?, …)" with the ids.
SELECT event_id FROM identity_seen WHERE workspace = ? AND event_id IN
