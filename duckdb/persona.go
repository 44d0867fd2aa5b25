package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint/segment"
)

// PersonaFeatures reads, for every profile of a workspace with events of
// its own, what discovered personas are clustered on: activity in the last
// 90 days, days since last seen, orders and revenue, events per channel
// (the workspace's busiest channels), the latest NPS answer and the mean
// sentiment of feedback.
func (w *Warehouse) PersonaFeatures(ctx context.Context, workspace string, now time.Time) (*segment.FeatureTable, error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("persona features: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("persona features: %w", err)
	}
	defer tx.Rollback()
	ft := &segment.FeatureTable{}
	rows, err := tx.QueryContext(ctx, w.query("persona_channels"), sql.Named("workspace", workspace))
	if err != nil {
		return nil, fmt.Errorf("persona channels: %w", err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, fmt.Errorf("persona channels: %w", err)
		}
		ft.Channels = append(ft.Channels, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("persona channels: %w", err)
	}
	// One count column per channel; the names are bound parameters.
	b := &sqlb{}
	var cols []string
	for _, c := range ft.Channels {
		cols = append(cols, "count(*) FILTER (WHERE channel = "+b.p(c)+")")
	}
	chans := "[]::BIGINT[]"
	if len(cols) > 0 {
		chans = "[" + strings.Join(cols, ", ") + "]"
	}
	stmt := strings.NewReplacer("$channels", chans).Replace(w.query("persona_features"))
	args := append(b.args, sql.Named("workspace", workspace), sql.Named("now", now.UTC()), sql.Named("since", now.UTC().Add(-90*24*time.Hour)))
	rows, err = tx.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("persona features: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r segment.FeatureRow
		var nps, sentiment sql.NullFloat64
		var counts []any
		if err := rows.Scan(&r.ProfileID, &r.Events, &r.Events90, &r.Days90, &r.Recency, &r.Orders, &r.Revenue, &counts, &nps, &sentiment); err != nil {
			return nil, fmt.Errorf("persona features: %w", err)
		}
		r.Channels = make([]float64, len(ft.Channels))
		for i, c := range counts {
			if n, ok := c.(int64); ok && i < len(r.Channels) {
				r.Channels[i] = float64(n)
			}
		}
		if nps.Valid {
			r.NPS = &nps.Float64
		}
		if sentiment.Valid {
			r.Sentiment = &sentiment.Float64
		}
		ft.Rows = append(ft.Rows, r)
	}
	return ft, rows.Err()
}

// ChurnScores returns the churn model's scores of a workspace's profiles
// when the analytics store has them (ok false when no churn model has
// written any).
func (w *Warehouse) ChurnScores(ctx context.Context, workspace string) (map[string]float64, bool, error) {
	var n int
	if err := w.db.QueryRowContext(ctx, w.query("churn_table_exists")).Scan(&n); err != nil {
		return nil, false, fmt.Errorf("churn scores: %w", err)
	}
	if n == 0 {
		return nil, false, nil
	}
	rows, err := w.db.QueryContext(ctx, w.query("churn_scores_of"), sql.Named("workspace", workspace))
	if err != nil {
		return nil, false, fmt.Errorf("churn scores: %w", err)
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var id string
		var risk float64
		if err := rows.Scan(&id, &risk); err != nil {
			return nil, false, fmt.Errorf("churn scores: %w", err)
		}
		out[id] = risk
	}
	return out, len(out) > 0, rows.Err()
}

// SegmentPersonaStats computes, for segments of a workspace, what the
// personas page shows of manual personas: how many members answered NPS
// (their latest answer) as promoters and detractors, and how many have not
// been seen in 30 days.
func (w *Warehouse) SegmentPersonaStats(ctx context.Context, workspace string, ids []string, now time.Time) (map[string]segment.PersonaStats, error) {
	out := map[string]segment.PersonaStats{}
	if len(ids) == 0 {
		return out, nil
	}
	b := &sqlb{}
	var ps []string
	for _, id := range ids {
		ps = append(ps, b.p(id))
	}
	stmt := strings.ReplaceAll(w.query("segment_persona_stats"), "$ids", strings.Join(ps, ", "))
	args := append(b.args, sql.Named("workspace", workspace), sql.Named("cutoff", now.UTC().Add(-30*24*time.Hour)))
	rows, err := w.db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("persona stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var s segment.PersonaStats
		if err := rows.Scan(&id, &s.Size, &s.NPSAnswers, &s.Promoters, &s.Detractors, &s.Inactive); err != nil {
			return nil, fmt.Errorf("persona stats: %w", err)
		}
		out[id] = s
	}
	return out, rows.Err()
}
