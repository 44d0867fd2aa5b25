SELECT count(*) FROM merges WHERE undone_at IS NOT NULL AND ((winner = ? AND loser = ?) OR (winner = ? AND loser = ?))
