-- Customers who reached the previous step and not this one: the first by
-- number, named.
SELECT p.profile_id
FROM (
    SELECT r.pnum FROM f_reached r
    ANTI JOIN (SELECT pnum FROM f_reached WHERE step = $step) n ON n.pnum = r.pnum
    WHERE r.step = $step - 1
    ORDER BY r.pnum LIMIT $limit
) d
JOIN journey_profiles p ON p.workspace = $workspace AND p.pnum = d.pnum
ORDER BY p.profile_id
