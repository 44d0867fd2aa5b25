SELECT id, workspace, winner, loser, event_id, reason, identifiers, created_at, undone_at, undone_by FROM merges WHERE id = ? AND workspace = ?
