SELECT coalesce(max(seq), 0) FROM identity_changes
