SELECT pnum, profile_id FROM journey_profiles WHERE workspace = $workspace
