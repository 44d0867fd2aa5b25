package duckdb

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"text/template"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// params collects the named parameters of one analytics statement, so the
// SQL built around a request's conditions never holds a value itself.
type params struct {
	args []any
}

// add binds v and returns its placeholder.
func (p *params) add(v any) string {
	name := fmt.Sprintf("p%d", len(p.args))
	p.args = append(p.args, sql.Named(name, v))
	return "$" + name
}

// micros converts an optional time to microseconds since the epoch, with
// the open ends of a range as the extremes of BIGINT.
func micros(t *time.Time, open int64) int64 {
	if t == nil {
		return open
	}
	return t.UnixMicro()
}

const (
	minMicros = math.MinInt64 / 2
	maxMicros = math.MaxInt64 / 2
)

// scopeSQL renders the parts of a scope that do not depend on time: the
// workspace, channels, trait conditions and segment membership, as a
// predicate over journey_events j.
func scopeSQL(s touchpoint.Scope, p *params) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "j.workspace = %s", p.add(s.Workspace))
	if len(s.Channels) > 0 {
		fmt.Fprintf(&b, " AND list_contains(%s, j.channel)", p.add(s.Channels))
	}
	if len(s.Segment) > 0 {
		var conds []string
		for i := range s.Segment {
			c, err := conditionSQL(s.Segment[i], "", "pt.traits", p)
			if err != nil {
				return "", err
			}
			conds = append(conds, c)
		}
		fmt.Fprintf(&b, ` AND j.pnum IN (SELECT p.pnum FROM journey_profiles p
			JOIN profile_traits pt ON pt.workspace = p.workspace AND pt.profile_id = p.profile_id
			WHERE p.workspace = %s AND %s)`, p.add(s.Workspace), strings.Join(conds, " AND "))
	}
	if s.Members != "" {
		fmt.Fprintf(&b, ` AND j.pnum IN (SELECT p.pnum FROM journey_profiles p
			JOIN segment_members m ON m.workspace = p.workspace AND m.profile_id = p.profile_id
			WHERE p.workspace = %s AND m.segment_id = %s)`, p.add(s.Workspace), p.add(s.Members))
	}
	return b.String(), nil
}

// fieldSQL renders a field of the event e (or the traits column named by
// traits) as text.
func fieldSQL(f touchpoint.FieldRef, event, traits string, p *params) (string, error) {
	switch f.Kind {
	case touchpoint.FieldColumn:
		if event == "" {
			return "", touchpoint.Errorf(touchpoint.EINVALID, "only traits can be used here")
		}
		return event + "." + f.Column, nil // f.Column is one of touchpoint.EventColumns
	case touchpoint.FieldJSON:
		if event == "" {
			return "", touchpoint.Errorf(touchpoint.EINVALID, "only traits can be used here")
		}
		return fmt.Sprintf("json_extract_string(%s.%s, %s)", event, f.Column, p.add(f.JSONPath())), nil
	case touchpoint.FieldTrait:
		if traits == "" {
			return "", touchpoint.Errorf(touchpoint.EINVALID, "traits cannot be used here")
		}
		return fmt.Sprintf("json_extract_string(%s, %s)", traits, p.add(f.JSONPath())), nil
	}
	return "", fmt.Errorf("unknown field kind %q", f.Kind)
}

// conditionSQL renders a validated condition as a predicate.
func conditionSQL(c touchpoint.Condition, event, traits string, p *params) (string, error) {
	f, err := touchpoint.SplitField("field", c.Field)
	if err != nil {
		return "", err
	}
	x, err := fieldSQL(f, event, traits, p)
	if err != nil {
		return "", touchpoint.FieldError("field", "%s: %s", c.Field, touchpoint.ErrorMessage(err))
	}
	vals := c.Values()
	switch c.Op {
	case "eq":
		return fmt.Sprintf("%s = %s", x, p.add(vals[0])), nil
	case "ne":
		return fmt.Sprintf("%s IS DISTINCT FROM %s", x, p.add(vals[0])), nil
	case "gt", "gte", "lt", "lte":
		op := map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[c.Op]
		return fmt.Sprintf("TRY_CAST(%s AS DOUBLE) %s %s", x, op, p.add(c.Value.(float64))), nil
	case "contains":
		return fmt.Sprintf("contains(lower(%s), lower(%s))", x, p.add(vals[0])), nil
	case "in":
		return fmt.Sprintf("list_contains(%s, %s)", p.add(vals), x), nil
	case "exists":
		return x + " IS NOT NULL", nil
	case "not_exists":
		return x + " IS NULL", nil
	}
	return "", touchpoint.FieldError("op", "unknown operator %q", c.Op)
}

// render fills a query template. Templates only ever receive SQL built
// from validated field names and placeholders, never a request's values.
func (w *Warehouse) render(name string, data any) (string, error) {
	w.tmu.Lock()
	t, ok := w.templates[name]
	if !ok {
		var err error
		t, err = template.New(name).Parse(w.query(name))
		if err != nil {
			w.tmu.Unlock()
			return "", fmt.Errorf("query %s: %w", name, err)
		}
		if w.templates == nil {
			w.templates = map[string]*template.Template{}
		}
		w.templates[name] = t
	}
	w.tmu.Unlock()
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("query %s: %w", name, err)
	}
	return b.String(), nil
}

// activities returns the activity codes, by name and by code.
func activities(ctx context.Context, conn *sql.Conn) (map[string]int32, map[int32]string, error) {
	rows, err := conn.QueryContext(ctx, `SELECT activity, code FROM journey_activities`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	byName, byCode := map[string]int32{}, map[int32]string{}
	for rows.Next() {
		var a string
		var c int32
		if err := rows.Scan(&a, &c); err != nil {
			return nil, nil, err
		}
		byName[a], byCode[c] = c, a
	}
	return byName, byCode, rows.Err()
}

// analyze is the frame of every analysis: validate the request (which
// fills its defaults), bring the journeys up to date, run on a connection
// of its own, drop its temporary tables, and label its errors.
func analyze[T any](ctx context.Context, w *Warehouse, label string, validate func() error, run func(*sql.Conn) (*T, error)) (*T, error) {
	if err := validate(); err != nil {
		return nil, err
	}
	conn, err := w.analyticsConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	defer w.release(conn)
	out, err := run(conn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	return out, nil
}

// analyticsConn refreshes the journeys and returns a connection of its
// own for one analysis, whose temporary tables no one else sees. Close it
// with release.
func (w *Warehouse) analyticsConn(ctx context.Context) (*sql.Conn, error) {
	if err := w.RefreshJourneys(ctx); err != nil {
		return nil, err
	}
	return w.db.Conn(ctx)
}

// release drops the analysis's temporary tables, which would otherwise
// hold their memory for as long as the pooled connection lives, and
// returns the connection to the pool.
func (w *Warehouse) release(conn *sql.Conn) {
	defer conn.Close()
	ctx := context.Background()
	rows, err := conn.QueryContext(ctx, w.query("temp_tables"))
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		// The names are our own temporary tables (f_ev, jm_seq…).
		conn.ExecContext(ctx, `DROP TABLE IF EXISTS temp."`+strings.ReplaceAll(n, `"`, `""`)+`"`)
	}
}

func nullFloat(v sql.NullFloat64) *float64 {
	if !v.Valid || math.IsNaN(v.Float64) {
		return nil
	}
	x := v.Float64
	return &x
}
