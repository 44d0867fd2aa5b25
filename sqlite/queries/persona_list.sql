SELECT id, name, description, size, share, nps, nps_responses, churn_risk, churn_source, features, refreshed_at
FROM personas WHERE workspace = :workspace ORDER BY size DESC, id
