-- Group calls set an account's traits; a newer call's keys replace the
-- same keys and keep the others, an older call changes nothing.
INSERT INTO accounts (workspace, id, traits, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (workspace, id) DO UPDATE SET traits = json_patch(accounts.traits, excluded.traits), updated_at = excluded.updated_at
WHERE excluded.updated_at >= accounts.updated_at
