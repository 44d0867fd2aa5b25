SELECT max(coalesce((SELECT max(seq) FROM identity_changes), 0), coalesce((SELECT max(seq) FROM profile_traits_dirty), 0))
