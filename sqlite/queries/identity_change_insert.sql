INSERT INTO identity_changes (seq, workspace, row_id, kind, value, profile_id, traits) VALUES (?, ?, ?, ?, ?, ?, ?)
