package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// Overview answers the dashboard's overview: events and customers over a
// period, by day, channel and source.
func (w *Warehouse) Overview(ctx context.Context, f touchpoint.OverviewFilter) (*touchpoint.Overview, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	o := &touchpoint.Overview{From: f.From.UTC(), To: f.To.UTC(),
		EventsByDay: []touchpoint.DayChannelCount{}, CustomersByDay: []touchpoint.DayCustomers{}}
	// One connection and one read transaction: every figure comes from the
	// same snapshot, so the totals agree with the breakdowns.
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	defer tx.Rollback()
	args := []any{sql.Named("workspace", f.Workspace), sql.Named("from", f.From), sql.Named("to", f.To)}

	if err := tx.QueryRowContext(ctx, w.query("overview_totals"), args...).Scan(&o.Events, &o.Customers); err != nil {
		return nil, fmt.Errorf("overview totals: %w", err)
	}
	rows, err := tx.QueryContext(ctx, w.query("overview_by_day_channel"), args...)
	if err != nil {
		return nil, fmt.Errorf("overview by day: %w", err)
	}
	for rows.Next() {
		var d touchpoint.DayChannelCount
		if err := rows.Scan(&d.Day, &d.Channel, &d.Count); err != nil {
			rows.Close()
			return nil, fmt.Errorf("overview by day: %w", err)
		}
		d.Day = d.Day.UTC()
		o.EventsByDay = append(o.EventsByDay, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("overview by day: %w", err)
	}

	rows, err = tx.QueryContext(ctx, w.query("overview_customers_by_day"), args...)
	if err != nil {
		return nil, fmt.Errorf("overview customers: %w", err)
	}
	for rows.Next() {
		var d touchpoint.DayCustomers
		if err := rows.Scan(&d.Day, &d.Active, &d.New); err != nil {
			rows.Close()
			return nil, fmt.Errorf("overview customers: %w", err)
		}
		d.Day = d.Day.UTC()
		o.NewCustomers += d.New
		o.CustomersByDay = append(o.CustomersByDay, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("overview customers: %w", err)
	}

	for _, b := range []struct {
		by    string
		limit int
		dst   *[]touchpoint.KeyCount
	}{{"channel", 50, &o.ByChannel}, {"source", 50, &o.BySource}, {"event", 15, &o.TopEvents}} {
		*b.dst = []touchpoint.KeyCount{}
		rows, err := tx.QueryContext(ctx, w.query("overview_by_"+b.by), append(args, sql.Named("limit", b.limit))...)
		if err != nil {
			return nil, fmt.Errorf("overview by %s: %w", b.by, err)
		}
		for rows.Next() {
			var k touchpoint.KeyCount
			var key sql.NullString
			if err := rows.Scan(&key, &k.Count); err != nil {
				rows.Close()
				return nil, fmt.Errorf("overview by %s: %w", b.by, err)
			}
			k.Key = strings.TrimSpace(key.String)
			*b.dst = append(*b.dst, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("overview by %s: %w", b.by, err)
		}
	}
	return o, nil
}

// EventsBySource counts a period's events by source id, largest first.
func (w *Warehouse) EventsBySource(ctx context.Context, f touchpoint.OverviewFilter) ([]touchpoint.KeyCount, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	rows, err := w.db.QueryContext(ctx, w.query("overview_by_source"), sql.Named("workspace", f.Workspace),
		sql.Named("from", f.From), sql.Named("to", f.To), sql.Named("limit", 10000))
	if err != nil {
		return nil, fmt.Errorf("events by source: %w", err)
	}
	defer rows.Close()
	out := []touchpoint.KeyCount{}
	for rows.Next() {
		var k touchpoint.KeyCount
		var key sql.NullString
		if err := rows.Scan(&key, &k.Count); err != nil {
			return nil, fmt.Errorf("events by source: %w", err)
		}
		k.Key = key.String
		out = append(out, k)
	}
	return out, rows.Err()
}

// ActiveProfiles returns the profiles with the latest events.
func (w *Warehouse) ActiveProfiles(ctx context.Context, workspace string, limit int) ([]string, error) {
	if limit < 1 || limit > 1000 {
		return nil, touchpoint.FieldError("limit", "must be between 1 and 1000")
	}
	rows, err := w.db.QueryContext(ctx, w.query("active_profiles"), sql.Named("workspace", workspace), sql.Named("limit", limit))
	if err != nil {
		return nil, fmt.Errorf("active profiles: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("active profiles: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
