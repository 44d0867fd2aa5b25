-- The customers following one of the most common variants.
CREATE OR REPLACE TEMP TABLE jm_keep AS
SELECT pnum FROM jm_variants SEMI JOIN (
    SELECT v, n FROM jm_variants GROUP BY v, n ORDER BY count(*) DESC, n, v LIMIT $limit
) t USING (v, n)
