-- Feedback items by id; the caller appends "(?, ?, …)".
SELECT id, user_id, anonymous_id, sentiment, created_at FROM feedback WHERE workspace = ? AND id IN
