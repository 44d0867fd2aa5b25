-- Each customer's whole path in range as one fingerprint: a path's
-- activities are contiguous in pos, so hashing each activity with its
-- place from the path's first in-range position identifies the sequence
-- without sorting anything (template: .Table, .Scope).
CREATE OR REPLACE TEMP TABLE jm_variants AS
WITH m AS (
    SELECT j.pnum, min(j.pos) AS first_pos FROM {{.Table}} j
    WHERE {{.Scope}} AND j.t >= $from AND j.t < $to GROUP BY j.pnum
)
SELECT j.pnum, bit_xor(hash(j.act, j.pos - m.first_pos)) AS v, count(*) AS n
FROM {{.Table}} j JOIN m ON m.pnum = j.pnum
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to
GROUP BY j.pnum
