INSERT INTO profile_traits_dirty (workspace, profile_id, seq) VALUES (?, ?, ?)
ON CONFLICT (workspace, profile_id) DO UPDATE SET seq = excluded.seq
