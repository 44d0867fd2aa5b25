INSERT OR IGNORE INTO account_members (profile_id, workspace, account_id, joined_at) VALUES (?, ?, ?, ?)
