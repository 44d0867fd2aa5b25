-- An item made again from the same or a later event replaces the stored
-- one; an older event (a replay) leaves it as it is.
INSERT INTO feedback (workspace, id, event_id, seq, source, kind, channel, survey_id, sentiment, language, user_id,
                      anonymous_id, email, score, flagged, text, topics, body, created_at)
VALUES (:workspace, :id, :event_id, :seq, :source, :kind, :channel, :survey_id, :sentiment, :language, :user_id,
        :anonymous_id, :email, :score, :flagged, :text, :topics, :body, :created_at)
ON CONFLICT (workspace, id) DO UPDATE SET
    event_id = excluded.event_id, seq = excluded.seq, source = excluded.source, kind = excluded.kind,
    channel = excluded.channel, survey_id = excluded.survey_id, sentiment = excluded.sentiment,
    language = excluded.language, user_id = excluded.user_id, anonymous_id = excluded.anonymous_id,
    email = excluded.email, score = excluded.score, flagged = excluded.flagged, text = excluded.text,
    topics = excluded.topics, body = excluded.body, created_at = excluded.created_at
WHERE excluded.seq >= feedback.seq
