SELECT profile_id, churn_risk, orders, revenue, p_alive, expected_orders, predicted_clv, computed_at
FROM profile_scores WHERE workspace = $workspace AND profile_id = $profile_id
