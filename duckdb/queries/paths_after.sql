-- The anchor and the activities after it, in order.
CREATE OR REPLACE TEMP TABLE p_paths AS
SELECT a.pnum, list(j.act ORDER BY j.pos) AS path
FROM p_anchor a
JOIN journey_events j ON j.workspace = $workspace AND j.pnum = a.pnum AND j.pos >= a.pos AND j.pos <= a.pos + $steps
WHERE j.t < $to
GROUP BY a.pnum
