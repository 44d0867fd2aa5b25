INSERT INTO personas (workspace, id, run, name, description, size, share, nps, nps_responses, churn_risk, churn_source, features, refreshed_at)
VALUES (:workspace, :id, :run, :name, :description, :size, :share, :nps, :nps_responses, :churn_risk, :churn_source, :features, :at)
