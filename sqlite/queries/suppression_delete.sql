DELETE FROM suppressions WHERE workspace = ? AND kind = ? AND value = ?
