-- What discovered personas are clustered on, per profile with events of
-- its own (not actions Touchpoint recorded about them). $channels is
-- replaced by a list of count(*) FILTER (WHERE channel = …) columns.
WITH pe AS (
    SELECT profile_id, timestamp, channel, type = 'track' AND event = 'Order Completed' AS o,
           CASE WHEN type = 'track' AND event = 'Order Completed'
                THEN (CASE WHEN json_type(properties) = 'VARCHAR' THEN json(json_extract_string(properties, '$')) ELSE properties END) END AS p
    FROM profile_events
    WHERE workspace = $workspace AND NOT (coalesce(source_id, '') = 'touchpoint' AND type = 'track' AND contains(coalesce(event, ''), '.'))
),
agg AS (
    SELECT profile_id,
           count(*) AS events,
           count(*) FILTER (WHERE timestamp >= $since) AS events90,
           count(DISTINCT CAST(timestamp AS DATE)) FILTER (WHERE timestamp >= $since) AS days90,
           greatest(epoch(CAST($now AS TIMESTAMPTZ)) - epoch(max(timestamp)), 0) / 86400.0 AS recency,
           count(*) FILTER (WHERE o) AS orders,
           coalesce(sum(CASE WHEN o THEN coalesce(
               CASE WHEN json_type(p, '/revenue') IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN CAST(json_extract(p, '/revenue') AS DOUBLE) END,
               CASE WHEN json_type(p, '/total') IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN CAST(json_extract(p, '/total') AS DOUBLE) END) END), 0) AS revenue,
           $channels AS channels
    FROM pe GROUP BY profile_id
),
nps AS (
    SELECT profile_id, arg_max(score, created_at) AS nps FROM profile_feedback
    WHERE workspace = $workspace AND survey_type = 'nps' AND score IS NOT NULL GROUP BY profile_id
),
snt AS (
    SELECT profile_id, avg(sentiment_score) AS sentiment FROM profile_feedback
    WHERE workspace = $workspace AND sentiment_score IS NOT NULL GROUP BY profile_id
)
SELECT agg.profile_id, events, events90, days90, recency, orders, revenue, channels, nps.nps, snt.sentiment
FROM agg LEFT JOIN nps USING (profile_id) LEFT JOIN snt USING (profile_id)
ORDER BY agg.profile_id
