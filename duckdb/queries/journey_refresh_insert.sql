-- Each activity with its neighbours on the profile's path, stored in
-- activity order: queries that look for a few activities then read only
-- the row groups holding them.
INSERT INTO journey_events (workspace, key, pnum, user_id, anonymous_id, channel, act, t, pos, prev_t, next_act, next_t,
                            same_prev_t, same_prev2_t, edge_prev_t, touch_act, same_prev_pos, dt, flags)
SELECT *, next_t - t AS dt, (CASE WHEN same_prev_t IS NULL THEN 1 ELSE 0 END
        | CASE WHEN prev_t IS NULL THEN 2 ELSE 0 END
        | CASE WHEN next_t IS NULL THEN 4 ELSE 0 END
        | CASE WHEN same_prev_t IS NOT NULL AND same_prev2_t IS NULL THEN 8 ELSE 0 END
        | CASE WHEN next_act IS NOT NULL AND edge_prev_t IS NULL THEN 16 ELSE 0 END)::UTINYINT AS flags
FROM (
SELECT workspace, key, pnum, user_id, anonymous_id, channel, act, t, pos, prev_t, next_act, next_t,
       same_prev_t, same_prev2_t,
       CASE WHEN next_act IS NOT NULL THEN lag(t) OVER (PARTITION BY workspace, pnum, act, next_act ORDER BY pos) END AS edge_prev_t,
       touch_act,
       lag(pos) OVER (PARTITION BY workspace, pnum, act ORDER BY pos) AS same_prev_pos
FROM (
    SELECT workspace, key, pnum, user_id, anonymous_id, channel, act, t,
           row_number() OVER w AS pos,
           lag(t) OVER w AS prev_t,
           lead(act) OVER w AS next_act,
           lead(t) OVER w AS next_t,
           lag(t) OVER s AS same_prev_t,
           lag(t, 2) OVER s AS same_prev2_t,
           last_value(CASE WHEN activity NOT IN ('Survey Responded', 'Feedback Received') AND activity NOT LIKE 'survey.%'
                                AND coalesce(source_id, '') <> 'touchpoint' THEN act END IGNORE NULLS)
               OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS touch_act
    FROM (SELECT e.*, a.code AS act FROM jr_events e JOIN journey_activities a USING (activity))
    WINDOW w AS (PARTITION BY workspace, pnum ORDER BY t, seq, message_id),
           s AS (PARTITION BY workspace, pnum, act ORDER BY t, seq, message_id)
)
)
ORDER BY workspace, act, pnum, pos
