SELECT workspace, profile_id, channel, status, source, updated_at, updated_by FROM consent WHERE workspace = ? AND profile_id = ? ORDER BY channel
