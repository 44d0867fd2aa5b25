SELECT seq, workspace, profile_id FROM profile_traits_dirty WHERE seq > ? ORDER BY seq LIMIT ?
