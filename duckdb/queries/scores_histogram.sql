-- Customers per bin of one stored score (template: .Column, one of
-- churn_risk, predicted_clv, revenue). Bin i holds [i·width, (i+1)·width);
-- the last bin holds everything above.
SELECT least(greatest(floor({{.Column}} / $width), 0), $bins - 1)::INTEGER AS bin, count(*) AS n
FROM profile_scores
WHERE workspace = $workspace AND {{.Column}} IS NOT NULL AND NOT isnan({{.Column}})
GROUP BY bin
ORDER BY bin
