INSERT INTO merges (id, workspace, winner, loser, event_id, reason, identifiers, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
