SELECT profile_id, churn_risk FROM profile_scores WHERE workspace = $workspace AND churn_risk IS NOT NULL
