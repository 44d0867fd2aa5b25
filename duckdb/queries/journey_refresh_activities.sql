INSERT INTO journey_activities (activity, code)
SELECT activity, (SELECT coalesce(max(code), 0) FROM journey_activities) + row_number() OVER (ORDER BY activity)
FROM (SELECT DISTINCT activity FROM jr_events WHERE activity IS NOT NULL) n
ANTI JOIN journey_activities a USING (activity)
