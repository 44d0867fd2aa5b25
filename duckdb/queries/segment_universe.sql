-- How many profiles a workspace has, as analytics attributes events.
SELECT count(DISTINCT profile_id) FROM identity_map WHERE workspace = $workspace
