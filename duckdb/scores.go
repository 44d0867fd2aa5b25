package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/touchpoint-cx/touchpoint"
)

// Horizons the stored scores use.
const (
	ScoreChurnHorizonDays = 30
	ScoreCLVHorizonDays   = 365
)

// RefreshScores trains the churn and CLV models on the workspace's history
// as of now and replaces every profile's stored scores. A model that
// cannot be trained (too little history) is skipped and said so; the
// other scores are still stored.
func (w *Warehouse) RefreshScores(ctx context.Context, workspace string, now time.Time) (*touchpoint.ScoresRefresh, error) {
	if workspace == "" {
		return nil, touchpoint.FieldError("workspace", "required")
	}
	conn, err := w.analyticsConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("refresh scores: %w", err)
	}
	defer w.release(conn)
	out, err := w.refreshScores(ctx, conn, workspace, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("refresh scores: %w", err)
	}
	return out, nil
}

func (w *Warehouse) refreshScores(ctx context.Context, conn *sql.Conn, workspace string, now time.Time) (*touchpoint.ScoresRefresh, error) {
	out := &touchpoint.ScoresRefresh{ComputedAt: now}
	scope := touchpoint.Scope{Workspace: workspace}
	scores := map[int32]touchpoint.ProfileScores{}
	ids, err := w.profileIDs(ctx, conn, workspace)
	if err != nil {
		return nil, err
	}
	clvReq := touchpoint.CLVRequest{Scope: scope, HorizonDays: ScoreCLVHorizonDays}
	if err := clvReq.Validate(); err != nil {
		return nil, err
	}
	clv, err := w.clv(ctx, conn, clvReq, now)
	if err != nil {
		return nil, err
	}
	for pnum, s := range clv.score {
		scores[pnum] = s
	}
	if !clv.resp.Model.Spend {
		out.Skipped = append(out.Skipped, "spend model (Gamma-Gamma): too few repeat buyers; predicted value uses each customer's average order")
	}
	if clv.resp.Model.R == 0 {
		out.Skipped = append(out.Skipped, "purchase model (BG/NBD): too few buyers")
	}
	var churnSamples int
	var auc *float64
	churn, err := w.trainChurn(ctx, conn, scope, now, ScoreChurnHorizonDays)
	switch {
	case touchpoint.ErrorCode(err) == touchpoint.EINVALID:
		out.Skipped = append(out.Skipped, "churn: "+touchpoint.ErrorMessage(err))
	case err != nil:
		return nil, err
	default:
		risk, err := churn.score(ctx, w, conn, scope, now, ScoreChurnHorizonDays)
		if err != nil {
			return nil, err
		}
		for pnum, p := range risk {
			s := scores[pnum]
			v := p
			s.ChurnRisk = &v
			scores[pnum] = s
		}
		out.ChurnAUC = churn.auc
		a := churn.auc
		auc, churnSamples = &a, churn.trained+churn.heldOut
	}

	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, err
	}
	err = w.storeScores(ctx, conn, workspace, now, ids, scores)
	if err == nil {
		details, _ := json.Marshal(clv.resp.Model)
		_, err = conn.ExecContext(ctx, w.query("scores_model"), sql.Named("workspace", workspace), sql.Named("model", "clv"),
			sql.Named("trained_at", now), sql.Named("samples", clv.resp.Buyers), sql.Named("metric", nil), sql.Named("details", string(details)))
	}
	if err == nil {
		details, _ := json.Marshal(map[string]any{"horizon_days": ScoreChurnHorizonDays})
		_, err = conn.ExecContext(ctx, w.query("scores_model"), sql.Named("workspace", workspace), sql.Named("model", "churn"),
			sql.Named("trained_at", now), sql.Named("samples", churnSamples), sql.Named("metric", auc), sql.Named("details", string(details)))
	}
	if err == nil {
		_, err = conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return nil, err
	}
	out.Profiles = len(scores)
	return out, nil
}

func (w *Warehouse) storeScores(ctx context.Context, conn *sql.Conn, workspace string, now time.Time, ids map[int32]string, scores map[int32]touchpoint.ProfileScores) error {
	if _, err := conn.ExecContext(ctx, w.query("scores_delete"), sql.Named("workspace", workspace)); err != nil {
		return err
	}
	return conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "profile_scores")
		if err != nil {
			return err
		}
		for pnum, s := range scores {
			id := ids[pnum]
			if id == "" {
				continue
			}
			if err := a.AppendRow(workspace, id, ptr(s.ChurnRisk), s.Orders, s.Revenue, ptr(s.PAlive), ptr(s.ExpectedOrders), ptr(s.PredictedCLV), now); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
}

func ptr(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// ProfileScores returns a profile's stored scores.
func (w *Warehouse) ProfileScores(ctx context.Context, workspace, profileID string) (*touchpoint.ProfileScores, error) {
	var s touchpoint.ProfileScores
	var churn, alive, expected, clv sql.NullFloat64
	err := w.db.QueryRowContext(ctx, w.query("scores_get"), sql.Named("workspace", workspace), sql.Named("profile_id", profileID)).
		Scan(&s.ProfileID, &churn, &s.Orders, &s.Revenue, &alive, &expected, &clv, &s.ComputedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "no scores for profile %s (scores are computed by touchpoint scores refresh and on a schedule)", profileID)
	} else if err != nil {
		return nil, fmt.Errorf("profile scores: %w", err)
	}
	s.ChurnRisk, s.PAlive, s.ExpectedOrders, s.PredictedCLV = nullFloat(churn), nullFloat(alive), nullFloat(expected), nullFloat(clv)
	s.ComputedAt = s.ComputedAt.UTC()
	return &s, nil
}

var _ touchpoint.AnalyticsService = (*Warehouse)(nil)

// scoreBins is how many bins each stored-score histogram has.
const scoreBins = 10

// ScoreDistribution returns histograms of the workspace's stored scores.
func (w *Warehouse) ScoreDistribution(ctx context.Context, workspace string) (*touchpoint.ScoreDistribution, error) {
	if workspace == "" {
		return nil, touchpoint.FieldError("workspace", "required")
	}
	ws := sql.Named("workspace", workspace)
	var out touchpoint.ScoreDistribution
	var at sql.NullTime
	var churn, clv, clv99, rev99, auc sql.NullFloat64
	if err := w.db.QueryRowContext(ctx, w.query("scores_summary"), ws).Scan(&out.Profiles, &at, &churn, &clv, &clv99, &rev99, &auc); err != nil {
		return nil, fmt.Errorf("score distribution: %w", err)
	}
	if out.Profiles == 0 {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "no scores yet (scores are computed by touchpoint scores refresh and on a schedule)")
	}
	out.ComputedAt = at.Time.UTC()
	out.MeanChurnRisk, out.MeanPredictedCLV, out.ChurnAUC = nullFloat(churn), nullFloat(clv), nullFloat(auc)
	var err error
	if out.ChurnRisk, err = w.scoreHistogram(ctx, workspace, "churn_risk", 0.1, false); err != nil {
		return nil, err
	}
	if out.PredictedCLV, err = w.scoreHistogram(ctx, workspace, "predicted_clv", niceWidth(clv99.Float64), true); err != nil {
		return nil, err
	}
	if out.Revenue, err = w.scoreHistogram(ctx, workspace, "revenue", niceWidth(rev99.Float64), true); err != nil {
		return nil, err
	}
	return &out, nil
}

// scoreHistogram counts customers per bin of a stored score. column is one
// of the score columns, never a request's value.
func (w *Warehouse) scoreHistogram(ctx context.Context, workspace, column string, width float64, open bool) ([]touchpoint.ScoreBin, error) {
	q, err := w.render("scores_histogram", map[string]any{"Column": column})
	if err != nil {
		return nil, err
	}
	rows, err := w.db.QueryContext(ctx, q, sql.Named("workspace", workspace), sql.Named("width", width), sql.Named("bins", scoreBins))
	if err != nil {
		return nil, fmt.Errorf("score histogram %s: %w", column, err)
	}
	defer rows.Close()
	bins := make([]touchpoint.ScoreBin, scoreBins)
	for i := range bins {
		bins[i].Low = float64(i) * width
		if !open || i < scoreBins-1 {
			high := float64(i+1) * width
			bins[i].High = &high
		}
	}
	for rows.Next() {
		var i int
		var n int64
		if err := rows.Scan(&i, &n); err != nil {
			return nil, fmt.Errorf("score histogram %s: %w", column, err)
		}
		bins[i].Profiles = n
	}
	return bins, rows.Err()
}

// niceWidth picks a round bin width (1, 2 or 5 times a power of ten) so
// that scoreBins-1 bins cover top; the last bin holds the rest.
func niceWidth(top float64) float64 {
	if top <= 0 || math.IsNaN(top) {
		return 1
	}
	raw := top / float64(scoreBins-1)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

var _ touchpoint.ScoreService = (*Warehouse)(nil)
