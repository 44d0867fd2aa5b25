UPDATE inapp_messages SET seen_at = coalesce(seen_at, ?), delivered_at = coalesce(delivered_at, ?) WHERE workspace = ? AND id = ? AND profile_id IN ({rows})
