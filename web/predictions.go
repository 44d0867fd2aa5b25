package web

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/touchpoint-cx/touchpoint"
)

// PredictionsData is what the predictions page shows: the churn model, the
// lifetime-value model, and how the stored scores are spread.
type PredictionsData struct {
	Horizon, CLVHorizon int
	Horizons            []Choice
	CLVHorizons         []Choice
	ChurnError          string
	Churn               *touchpoint.ChurnResponse
	AtRisk              []ScoredCustomer
	CLVError            string
	CLV                 *touchpoint.CLVResponse
	Top                 []ScoredCustomer
	Dist                *touchpoint.ScoreDistribution
	// CanRefresh shows the refresh button to roles the API lets refresh.
	CanRefresh bool
	// NoHistory is set when the workspace has no customers yet: the page
	// says what to do instead of showing empty models.
	NoHistory bool
	Charts    PredictionCharts
}

// ScoredCustomer is a customer with their scores.
type ScoredCustomer struct {
	touchpoint.ProfileScores
	Customer CustomerLink
}

// PredictionCharts are the page's charts.
type PredictionCharts struct {
	Risk    []HistogramBar `json:"risk"`
	Value   []HistogramBar `json:"value"`
	Revenue []HistogramBar `json:"revenue"`
	Drivers ForestData     `json:"drivers"`
}

// HistogramBar is one bin of a histogram.
type HistogramBar struct {
	Label    string `json:"label"`
	Profiles int64  `json:"profiles"`
}

// refreshPermission is what POST /api/v1/analytics/scores/refresh needs.
const refreshPermission = touchpoint.PermSegmentsWrite

func (d *Dashboard) loadPredictions(r *http.Request, v *View) error {
	ctx := r.Context()
	q := r.URL.Query()
	ws := v.Workspace.ID
	data := PredictionsData{Horizon: atoiOr(q.Get("horizon"), 30), CLVHorizon: atoiOr(q.Get("clv_horizon"), 365),
		CanRefresh: v.Actor.Can(refreshPermission)}
	for _, n := range []int{14, 30, 60, 90} {
		data.Horizons = append(data.Horizons, Choice{Value: formatNum(n), Label: formatNum(n) + " days", Selected: n == data.Horizon})
	}
	for _, n := range []int{90, 180, 365, 730} {
		data.CLVHorizons = append(data.CLVHorizons, Choice{Value: formatNum(n), Label: horizonLabel(n), Selected: n == data.CLVHorizon})
	}
	v.Data = &data

	// The two models train independently: run them side by side.
	var wg sync.WaitGroup
	var churnErr, clvErr, distErr error
	wg.Go(func() {
		data.Churn, churnErr = d.cfg.Analytics.Churn(ctx, touchpoint.ChurnRequest{Scope: touchpoint.Scope{Workspace: ws}, HorizonDays: data.Horizon, Top: 25})
	})
	wg.Go(func() {
		data.CLV, clvErr = d.cfg.Analytics.CLV(ctx, touchpoint.CLVRequest{Scope: touchpoint.Scope{Workspace: ws}, HorizonDays: data.CLVHorizon, Top: 25})
	})
	wg.Go(func() { data.Dist, distErr = d.cfg.Scores.ScoreDistribution(ctx, ws) })
	wg.Wait()
	var err error
	if data.ChurnError, err = analysisError(churnErr); err != nil {
		return err
	}
	if data.CLVError, err = analysisError(clvErr); err != nil {
		return err
	}
	if touchpoint.ErrorCode(distErr) == touchpoint.ENOTFOUND {
		data.Dist = nil
	} else if distErr != nil {
		return distErr
	}
	if data.ChurnError != "" {
		data.Churn = nil
	}
	if data.CLVError != "" {
		data.CLV = nil
	}
	if data.CLV != nil && data.CLV.Customers == 0 {
		data.NoHistory = true
		return nil
	}

	var ids []string
	if data.Churn != nil {
		for _, s := range data.Churn.AtRisk {
			ids = append(ids, s.ProfileID)
		}
		data.Charts.Drivers = ForestData{Unit: outcomeUnit[touchpoint.OutcomeChurn], HigherIsBad: true, Items: []ForestItem{}}
		for i, dr := range data.Churn.Drivers {
			if i == 10 {
				break
			}
			data.Charts.Drivers.Items = append(data.Charts.Drivers.Items, ForestItem{Label: shortFactor(dr.Factor), Effect: dr.Effect,
				Low: dr.Low, High: dr.High, Significant: dr.Significant, Prevalence: dr.Prevalence})
		}
	}
	if data.CLV != nil {
		for _, s := range data.CLV.Top {
			ids = append(ids, s.ProfileID)
		}
	}
	names := d.customerLinks(ctx, v, ids)
	if data.Churn != nil {
		for _, s := range data.Churn.AtRisk {
			data.AtRisk = append(data.AtRisk, ScoredCustomer{ProfileScores: s, Customer: names[s.ProfileID]})
		}
	}
	if data.CLV != nil {
		for _, s := range data.CLV.Top {
			data.Top = append(data.Top, ScoredCustomer{ProfileScores: s, Customer: names[s.ProfileID]})
		}
	}
	if data.Dist != nil {
		data.Charts.Risk = histogram(data.Dist.ChurnRisk, func(f float64) string { return percent(f) })
		data.Charts.Value = histogram(data.Dist.PredictedCLV, func(f float64) string { return number(f, 0) })
		data.Charts.Revenue = histogram(data.Dist.Revenue, func(f float64) string { return number(f, 0) })
	}
	return nil
}

// histogram labels a stored-score histogram's bins: "10%–20%", "500+".
func histogram(bins []touchpoint.ScoreBin, format func(float64) string) []HistogramBar {
	out := []HistogramBar{}
	for _, b := range bins {
		label := format(b.Low) + "+"
		if b.High != nil {
			label = format(b.Low) + "–" + format(*b.High)
		}
		out = append(out, HistogramBar{Label: label, Profiles: b.Profiles})
	}
	return out
}

func horizonLabel(days int) string {
	switch days {
	case 365:
		return "1 year"
	case 730:
		return "2 years"
	}
	return fmt.Sprintf("%d days", days)
}

// Risky counts the scored customers with a churn risk of at least a half.
func (d *PredictionsData) Risky() int64 {
	if d.Dist == nil {
		return 0
	}
	var n int64
	for i, b := range d.Dist.ChurnRisk {
		if i >= len(d.Dist.ChurnRisk)/2 {
			n += b.Profiles
		}
	}
	return n
}
