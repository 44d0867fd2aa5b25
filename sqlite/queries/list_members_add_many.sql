-- Adds list members; the caller appends " VALUES (?, ?, ?, ?), … ON CONFLICT DO NOTHING",
-- one row per member: workspace, list, profile_id, added_at.
INSERT INTO list_members (workspace, list, profile_id, added_at)
