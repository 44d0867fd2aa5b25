-- Counts per step for the breakdown values with the most customers at
-- step 1.
WITH top AS (
    SELECT bd FROM f_group GROUP BY bd ORDER BY count(*) DESC, bd LIMIT $limit
)
SELECT g.bd, r.step, count(*)
FROM f_reached r JOIN f_group g USING (pnum) SEMI JOIN top t ON t.bd = g.bd
GROUP BY g.bd, r.step
ORDER BY g.bd, r.step
