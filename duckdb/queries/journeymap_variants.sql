-- Each customer's whole path in range as one fingerprint: a path's
-- activities are contiguous in pos, so hashing each activity with its
-- place from the path's first in-range position identifies the sequence
-- without sorting anything (template: .Table, .Scope). The pair is packed
-- into one integer before hashing: hash(a, b) combines the two hashes in
-- a way that XOR across rows would take apart again.
CREATE OR REPLACE TEMP TABLE jm_variants AS
WITH m AS (
    SELECT j.pnum, min(j.pos) AS first_pos FROM {{.Table}} j
    WHERE {{.Scope}} AND j.t >= $from AND j.t < $to GROUP BY j.pnum
)
SELECT j.pnum, bit_xor(hash(j.act::BIGINT * 4294967296 + (j.pos - m.first_pos))) AS v, count(*) AS n
FROM {{.Table}} j JOIN m ON m.pnum = j.pnum
WHERE {{.Scope}} AND j.t >= $from AND j.t < $to
GROUP BY j.pnum
