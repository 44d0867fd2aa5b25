-- For each step, the first customers by number who reached the step
-- before it and went no further: one pass over every step's customers.
SELECT furthest + 1 AS step, min(pnum, $limit) AS pnums
FROM (SELECT pnum, max(step) AS furthest FROM f_reached GROUP BY pnum)
WHERE furthest < $steps
GROUP BY furthest
