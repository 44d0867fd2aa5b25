-- The first customers by number who reached the step before this one and
-- went no further.
SELECT r.pnum
FROM f_reached r ANTI JOIN (SELECT pnum FROM f_reached WHERE step = $step) n ON n.pnum = r.pnum
WHERE r.step = $step - 1
ORDER BY r.pnum
LIMIT $limit
