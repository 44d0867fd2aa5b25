-- The last three touchpoints of each customer in the 30 days before their
-- feedback, attributed to profiles the way profile_events does: an
-- anonymous visit before sign-in counts once identity resolution linked it.
WITH q AS (
    SELECT unnest($ids) AS id, unnest($user_ids) AS user_id, unnest($anonymous_ids) AS anonymous_id,
           unnest($ats)::TIMESTAMPTZ AS answered_at
), qp AS (
    SELECT q.id, q.answered_at,
           coalesce(u.profile_id, a.profile_id,
                    CASE WHEN q.user_id <> '' THEN 'user_id:' || q.user_id ELSE 'anonymous_id:' || q.anonymous_id END) AS profile_id
    FROM q
    LEFT JOIN identity_map u ON u.workspace = $workspace AND u.kind = 'user_id' AND u.value = nullif(q.user_id, '')
    LEFT JOIN identity_map a ON a.workspace = $workspace AND a.kind = 'anonymous_id' AND a.value = nullif(q.anonymous_id, '')
)
SELECT qp.id, e.message_id, e.type, coalesce(e.event, ''), coalesce(e.name, ''), coalesce(e.channel, ''), e.timestamp
FROM qp
JOIN profile_events e ON e.workspace = $workspace AND e.profile_id = qp.profile_id
WHERE e.timestamp <= qp.answered_at
  AND e.timestamp > qp.answered_at - INTERVAL 30 DAY
  AND e.type IN ('track', 'page', 'screen')
  AND coalesce(e.event, '') NOT IN ('Survey Responded', 'Feedback Received')
  AND coalesce(e.event, '') NOT LIKE 'survey.%'
QUALIFY row_number() OVER (PARTITION BY qp.id ORDER BY e.timestamp DESC, e.seq DESC) <= 3
ORDER BY qp.id, e.timestamp DESC, e.seq DESC
