-- Feedback items by id, many at once.
SELECT id, user_id, anonymous_id, sentiment, created_at FROM feedback WHERE workspace = ? AND id IN ({rows})
