INSERT INTO segment_history (workspace, segment_id, profile_id, change, reason, event_id, at)
VALUES (:workspace, :segment, :profile, :change, :reason, :event_id, :at)
