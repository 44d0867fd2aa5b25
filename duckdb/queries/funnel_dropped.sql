-- Customers who reached the previous step and not this one.
SELECT p.profile_id
FROM (SELECT pnum FROM f_reached WHERE step = $step - 1 EXCEPT SELECT pnum FROM f_reached WHERE step = $step) d
JOIN journey_profiles p ON p.workspace = $workspace AND p.pnum = d.pnum
ORDER BY p.profile_id
LIMIT $limit
