package touchpoint

import (
	"context"
	"time"
)

// ScoreService sums up the scores a refresh stored (see
// AnalyticsService.RefreshScores), so the dashboard can show how risk and
// value are spread across the customers, not only the extremes.
type ScoreService interface {
	// ScoreDistribution returns histograms of the workspace's stored scores.
	// Returns ENOTFOUND when no refresh has stored any.
	ScoreDistribution(ctx context.Context, workspace string) (*ScoreDistribution, error)
}

// ScoreDistribution describes the stored scores of a workspace.
type ScoreDistribution struct {
	// Profiles is how many customers have scores; ComputedAt is when the
	// last refresh stored them.
	Profiles   int64     `json:"profiles"`
	ComputedAt time.Time `json:"computed_at"`
	// ChurnAUC is the churn model's held-out AUC at that refresh (null when
	// the model could not be trained).
	ChurnAUC *float64 `json:"churn_auc"`
	// ChurnRisk has ten bins of width 0.1; PredictedCLV and Revenue bins of
	// equal width up to about the 99th percentile, the last bin open-ended.
	ChurnRisk    []ScoreBin `json:"churn_risk"`
	PredictedCLV []ScoreBin `json:"predicted_clv"`
	Revenue      []ScoreBin `json:"revenue"`
	// Means of the scores, over the customers that have each.
	MeanChurnRisk    *float64 `json:"mean_churn_risk"`
	MeanPredictedCLV *float64 `json:"mean_predicted_clv"`
}

// ScoreBin counts the customers whose score is in [Low, High); the last bin
// of an open-ended histogram has no High.
type ScoreBin struct {
	Low      float64  `json:"low"`
	High     *float64 `json:"high"`
	Profiles int64    `json:"profiles"`
}
