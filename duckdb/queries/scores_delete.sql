DELETE FROM profile_scores WHERE workspace = $workspace
