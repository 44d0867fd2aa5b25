SELECT coalesce(max(seq), 0), coalesce(max(identity_change), 0), coalesce(max(pass), 0), coalesce(max(changed_pass), 0), max(swept_at) FROM segment_engine WHERE id = 1
