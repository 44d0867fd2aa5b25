package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
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
