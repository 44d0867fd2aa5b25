INSERT INTO identity_rules (workspace, rules, updated_at) VALUES (?, ?, ?)
ON CONFLICT (workspace) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at
