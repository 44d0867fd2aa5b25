-- New profiles get the next numbers.
INSERT INTO journey_profiles (workspace, profile_id, pnum)
SELECT d.workspace, d.profile_id,
       (SELECT coalesce(max(pnum), 0) FROM journey_profiles) + row_number() OVER (ORDER BY d.workspace, d.profile_id)
FROM jr_profiles d ANTI JOIN journey_profiles p ON p.workspace = d.workspace AND p.profile_id = d.profile_id
