-- Adds list members, many at once: one (workspace, list, profile_id, added_at) group a row.
INSERT INTO list_members (workspace, list, profile_id, added_at) VALUES {rows} ON CONFLICT DO NOTHING
