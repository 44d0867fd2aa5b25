-- The most common activities, the churn model's behavioural features.
SELECT act FROM journey_events WHERE workspace = $workspace AND t < $cutoff
GROUP BY act ORDER BY count(*) DESC, act LIMIT $limit
