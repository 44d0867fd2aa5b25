-- Each recomputed profile's whole path as one fingerprint, for the most
-- common variants of a map without a date range.
UPDATE journey_profiles p SET variant = v.variant, events = coalesce(v.n, 0)
FROM (
    SELECT d.workspace, d.pnum, bit_xor(hash(j.act::BIGINT * 4294967296 + (j.pos - 1))) AS variant, count(j.pnum) AS n
    FROM (SELECT p.workspace, p.pnum FROM journey_profiles p SEMI JOIN jr_profiles r ON r.workspace = p.workspace AND r.profile_id = p.profile_id) d
    LEFT JOIN journey_events j ON j.workspace = d.workspace AND j.pnum = d.pnum
    GROUP BY d.workspace, d.pnum
) v
WHERE p.workspace = v.workspace AND p.pnum = v.pnum
