-- The stored scores of a workspace in sum: how many, when, means, and the
-- 99th percentiles that size the value histograms.
SELECT count(*) AS n, max(s.computed_at), avg(s.churn_risk), avg(s.predicted_clv),
       quantile_cont(s.predicted_clv, 0.99), quantile_cont(s.revenue, 0.99),
       (SELECT metric FROM score_models WHERE workspace = $workspace AND model = 'churn')
FROM profile_scores s
WHERE s.workspace = $workspace
