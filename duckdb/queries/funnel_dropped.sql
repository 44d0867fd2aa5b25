-- The first customers by number who reached the previous step and not this
-- one, among those of the first $scan attempts at the previous step
-- (template: .Prev, .Cur). The caller widens $scan when that is too few.
WITH c AS (
    SELECT DISTINCT pnum FROM (SELECT pnum FROM {{.Prev}} ORDER BY pnum LIMIT $scan)
)
SELECT c.pnum FROM c
ANTI JOIN (SELECT pnum FROM {{.Cur}} WHERE pnum <= (SELECT max(pnum) FROM c)) n ON n.pnum = c.pnum
ORDER BY c.pnum
LIMIT $limit
