-- One statement, so the counts and the checkpoint come from one snapshot:
-- a caller that sees the checkpoint also sees every event it covers.
-- Until identity resolution keeps its own map, a customer is a userId, or an
-- anonymousId that no identified call has tied to a userId.
WITH ws AS (
    SELECT user_id, anonymous_id FROM events WHERE workspace = $workspace
), linked AS (
    SELECT anonymous_id, min(user_id) AS user_id
    FROM ws WHERE user_id IS NOT NULL AND anonymous_id IS NOT NULL
    GROUP BY anonymous_id
)
SELECT
    (SELECT count(*) FROM ws) AS events_total,
    (SELECT count(DISTINCT coalesce(ws.user_id, linked.user_id, 'anon:' || ws.anonymous_id))
       FROM ws LEFT JOIN linked ON ws.anonymous_id = linked.anonymous_id) AS profiles_total,
    (SELECT coalesce(max(seq), 0) FROM consumer_checkpoints WHERE consumer = $consumer) AS seq,
    (SELECT coalesce(max(seq), 0) FROM consumer_checkpoints WHERE consumer = 'identity_map') AS identity_map_seq
