SELECT workspace, kind, value, reason, created_at FROM suppressions WHERE workspace = ? ORDER BY kind, value
