SELECT id, segment_id, profile_id, change, reason, event_id, at FROM segment_history
WHERE workspace = :workspace AND (:segment = '' OR segment_id = :segment) AND (:profile = '' OR profile_id = :profile)
    AND (:before = 0 OR id < :before)
ORDER BY id DESC LIMIT :limit
