package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/touchpoint-cx/touchpoint"
)

// Activities lists the activities in the scope, most frequent first, from
// the journey tables (brought up to date first, like every analysis).
func (w *Warehouse) Activities(ctx context.Context, f touchpoint.ActivityFilter) ([]touchpoint.ActivityStat, error) {
	out, err := analyze(ctx, w, "activities", f.Validate, func(conn *sql.Conn) (*[]touchpoint.ActivityStat, error) {
		p := &params{}
		scope, err := scopeSQL(f.Scope, p)
		if err != nil {
			return nil, err
		}
		q, err := w.render("activities", map[string]any{"Scope": scope, "Distinct": len(f.Channels) > 0})
		if err != nil {
			return nil, err
		}
		args := append(p.args, sql.Named("from", micros(f.From, minMicros)), sql.Named("to", micros(f.To, maxMicros)),
			sql.Named("limit", f.Limit))
		rows, err := conn.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		list := []touchpoint.ActivityStat{}
		for rows.Next() {
			var a touchpoint.ActivityStat
			if err := rows.Scan(&a.Activity, &a.Count, &a.Profiles); err != nil {
				return nil, err
			}
			list = append(list, a)
		}
		return &list, rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return *out, nil
}

// ActivityProperties lists the property keys of an activity's most recent
// events. It reads the events table directly: a sample of one activity
// needs no journey.
func (w *Warehouse) ActivityProperties(ctx context.Context, f touchpoint.PropertyQuery) ([]touchpoint.PropertyStat, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	rows, err := w.db.QueryContext(ctx, w.query("activity_properties"), sql.Named("workspace", f.Workspace),
		sql.Named("activity", f.Activity), sql.Named("sample", f.Sample))
	if err != nil {
		return nil, fmt.Errorf("activity properties: %w", err)
	}
	defer rows.Close()
	out := []touchpoint.PropertyStat{}
	for rows.Next() {
		var s touchpoint.PropertyStat
		var vals []any
		if err := rows.Scan(&s.Key, &s.Count, &vals); err != nil {
			return nil, fmt.Errorf("activity properties: %w", err)
		}
		s.Key = "properties." + s.Key
		s.Values = []string{}
		for _, v := range vals {
			if str, ok := v.(string); ok {
				s.Values = append(s.Values, str)
			}
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("activity properties: %w", err)
	}
	return out, nil
}

var _ touchpoint.ActivityService = (*Warehouse)(nil)
