SELECT p.pnum, pt.traits::VARCHAR
FROM journey_profiles p JOIN profile_traits pt ON pt.workspace = p.workspace AND pt.profile_id = p.profile_id
WHERE p.workspace = $workspace AND p.pnum IN (SELECT unnest($pnums))
