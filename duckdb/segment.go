package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/segment"
)

// Segment definitions are evaluated over everyone at once by compiling
// their plan (segment.Compile) to one query: a pass over the events the
// plan's facts read (those with the plan's event names), grouped by
// profile, joined to every profile of the workspace with its traits,
// computed counts and accounts as needed, filtered by the plan's boolean
// expression. The statement depends on the definition, so it is built
// here rather than read from a .sql file; every value a user gave is a
// bound parameter.

// props unwraps a JSON column that older rows hold as a JSON string
// wrapping the object ("{\"a\":1}"), so JSON functions see inside.
func unwrap(col string) string {
	return "(CASE WHEN json_type(" + col + ") = 'VARCHAR' THEN json(json_extract_string(" + col + ", '$')) ELSE " + col + " END)"
}

// pointer is the JSON Pointer of a top-level key: any key, quotes and
// slashes included, addresses exactly that member.
func pointer(key string) string {
	return "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}

// sqlb builds a statement with named parameters ($p1, $p2…).
type sqlb struct {
	args []any
}

func (b *sqlb) p(v any) string {
	name := fmt.Sprintf("p%d", len(b.args)+1)
	b.args = append(b.args, sql.Named(name, v))
	return "$" + name
}

// num is a JSON value as a finite number: a JSON number, or a string that
// reads as one; NULL otherwise.
func num(x string) string {
	return "(CASE WHEN json_type(" + x + ") IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN CAST(" + x + " AS DOUBLE) " +
		"WHEN json_type(" + x + ") = 'VARCHAR' THEN nullif(TRY_CAST(json_extract_string(" + x + ", '$') AS DOUBLE), 'inf'::DOUBLE) END)"
}

func (b *sqlb) cmp(x string, c segment.Comparison) string {
	str := "(CASE WHEN json_type(" + x + ") = 'VARCHAR' THEN json_extract_string(" + x + ", '$') END)"
	eq := func() string {
		switch c.Value.Kind {
		case touchpoint.ValueString:
			return "coalesce(" + str + " = " + b.p(c.Value.Str) + ", false)"
		case touchpoint.ValueNumber:
			return "coalesce(" + num(x) + " = " + b.p(c.Value.Num) + ", false)"
		case touchpoint.ValueBool:
			return "coalesce(json_type(" + x + ") = 'BOOLEAN' AND json_extract_string(" + x + ", '$') = " + b.p(fmt.Sprint(c.Value.Bool)) + ", false)"
		}
		return "false"
	}
	exists := "coalesce(json_type(" + x + ") <> 'NULL', false)"
	switch c.Op {
	case touchpoint.OpExists:
		return exists
	case touchpoint.OpNotExists:
		return "(NOT " + exists + ")"
	case touchpoint.OpEq:
		return eq()
	case touchpoint.OpNeq:
		return "(NOT " + eq() + ")"
	case touchpoint.OpGt, touchpoint.OpGte, touchpoint.OpLt, touchpoint.OpLte:
		op := map[string]string{touchpoint.OpGt: ">", touchpoint.OpGte: ">=", touchpoint.OpLt: "<", touchpoint.OpLte: "<="}[c.Op]
		return "coalesce(" + num(x) + " " + op + " " + b.p(c.Value.Num) + ", false)"
	case touchpoint.OpContains:
		return "coalesce(contains(lower(" + str + "), " + b.p(strings.ToLower(c.Value.Str)) + "), false)"
	case touchpoint.OpIn:
		var ps []string
		if len(c.Value.Nums) > 0 {
			for _, n := range c.Value.Nums {
				ps = append(ps, b.p(n))
			}
			return "coalesce(" + num(x) + " IN (" + strings.Join(ps, ", ") + "), false)"
		}
		for _, s := range c.Value.Strs {
			ps = append(ps, b.p(s))
		}
		return "coalesce(" + str + " IN (" + strings.Join(ps, ", ") + "), false)"
	}
	return "false"
}

// cheap is the part of a match that reads plain columns; full adds the
// property filters, which parse JSON.
func (b *sqlb) cheap(m segment.Match) string {
	var parts []string
	if m.Own {
		parts = append(parts, "NOT (coalesce(source_id, '') = '"+touchpoint.SystemSourceID+"' AND type = 'track' AND contains(coalesce(event, ''), '.'))")
	}
	if m.Type != "" {
		parts = append(parts, "type = "+b.p(m.Type))
	}
	if len(m.Names) > 0 {
		col := "event"
		if m.Type == string(touchpoint.TypePage) || m.Type == string(touchpoint.TypeScreen) {
			col = "name"
		}
		var ps []string
		for _, n := range m.Names {
			ps = append(ps, b.p(n))
		}
		parts = append(parts, col+" IN ("+strings.Join(ps, ", ")+")")
	}
	if m.Channel != "" {
		parts = append(parts, "channel = "+b.p(m.Channel))
	}
	if len(parts) == 0 {
		return "true"
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

func (b *sqlb) full(m segment.Match) string {
	parts := []string{b.cheap(m)}
	for _, w := range m.Where {
		parts = append(parts, b.cmp("json_extract(p, "+b.p(pointer(w.Property))+")", segment.Comparison{Op: w.Op, Value: w.Value}))
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// factMatch is the condition an event meets to count for a fact: any of
// its matches, and a value for facts that keep one.
func (b *sqlb) factMatch(f *segment.Fact) string {
	var alts []string
	for _, m := range f.Match {
		alts = append(alts, b.full(m))
	}
	cond := "(" + strings.Join(alts, " OR ") + ")"
	if v := b.factValue(f); v != "" {
		cond = "(" + cond + " AND " + v + " IS NOT NULL)"
	}
	return cond
}

// factValue is the value a latest fact keeps, as SQL over an event row.
func (b *sqlb) factValue(f *segment.Fact) string {
	switch f.ValueKind {
	case segment.ValueEvent:
		return "event"
	case segment.ValueText:
		x := "json_extract(p, " + b.p(pointer(f.Property)) + ")"
		return "(CASE WHEN json_type(" + x + ") = 'VARCHAR' THEN json_extract_string(" + x + ", '$') END)"
	case segment.ValueNumber:
		return num("json_extract(p, " + b.p(pointer(f.Property)) + ")")
	}
	return ""
}

// needsProps reports whether a fact's matches or value read properties.
func needsProps(f *segment.Fact) bool {
	if f.ValueKind == segment.ValueText || f.ValueKind == segment.ValueNumber {
		return true
	}
	for _, m := range f.Match {
		if len(m.Where) > 0 {
			return true
		}
	}
	return false
}

// segmentQuery compiles a plan into a statement selecting the profile ids
// of the workspace's members at now (selectCount counts them instead).
type segmentQuery struct {
	b      sqlb
	ws     string
	now    time.Time
	aggs   []string // ev columns
	aggIdx map[string]string
	fb     []string
	fbIdx  map[string]string
	acc    []string // per-profile account booleans
	accKey []string // per-account latest trait values
	accIdx map[string]string
	plan   *segment.Plan
}

func compileSegment(ws string, p *segment.Plan, now time.Time, count bool) (string, []any) {
	q := &segmentQuery{ws: ws, now: now.UTC().Truncate(time.Microsecond), aggIdx: map[string]string{}, fbIdx: map[string]string{}, accIdx: map[string]string{}, plan: p}
	where := q.expr(p.Root)
	var with []string
	with = append(with, "u AS (SELECT DISTINCT profile_id FROM identity_map WHERE workspace = "+q.b.p(ws)+")")
	joins := ""
	if len(q.aggs) > 0 {
		var cheap []string
		props := false
		for _, f := range p.Facts {
			if f.Kind == segment.FactSentiment {
				continue
			}
			for _, m := range f.Match {
				cheap = append(cheap, q.b.cheap(m))
			}
			props = props || needsProps(f)
		}
		pcol := "NULL::JSON AS p"
		if props {
			pcol = unwrap("properties") + " AS p"
		}
		with = append(with, "ev AS (SELECT profile_id, "+strings.Join(q.aggs, ", ")+
			" FROM (SELECT profile_id, source_id, type, event, name, channel, timestamp, "+pcol+
			" FROM profile_events WHERE workspace = "+q.b.p(ws)+" AND ("+strings.Join(cheap, " OR ")+")) GROUP BY profile_id)")
		joins += " LEFT JOIN ev USING (profile_id)"
	}
	if len(q.fb) > 0 {
		with = append(with, "fb AS (SELECT profile_id, "+strings.Join(q.fb, ", ")+" FROM profile_feedback WHERE workspace = "+q.b.p(ws)+" GROUP BY profile_id)")
		joins += " LEFT JOIN fb USING (profile_id)"
	}
	if p.Computed {
		rev := func(k string) string {
			x := "json_extract(p, '" + pointer(k) + "')"
			return "(CASE WHEN json_type(" + x + ") IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN CAST(" + x + " AS DOUBLE) END)"
		}
		with = append(with, "cp AS (SELECT profile_id, count(*) AS events, count(*) FILTER (WHERE o) AS orders, "+
			"coalesce(sum(CASE WHEN o THEN coalesce("+rev("revenue")+", "+rev("total")+") END), 0) AS revenue "+
			"FROM (SELECT profile_id, type = 'track' AND event = 'Order Completed' AS o, "+
			"CASE WHEN type = 'track' AND event = 'Order Completed' THEN "+unwrap("properties")+" END AS p "+
			"FROM profile_events WHERE workspace = "+q.b.p(ws)+") GROUP BY profile_id)")
		joins += " LEFT JOIN cp USING (profile_id)"
	}
	if p.Traits {
		with = append(with, "tr AS (SELECT profile_id, "+unwrap("traits")+" AS t FROM profile_traits WHERE workspace = "+q.b.p(ws)+")")
		joins += " LEFT JOIN tr USING (profile_id)"
	}
	if len(q.acc) > 0 {
		with = append(with,
			"ga AS (SELECT group_id, "+strings.Join(q.accKey, ", ")+" FROM (SELECT group_id, timestamp, "+unwrap("traits")+" AS g FROM events "+
				"WHERE workspace = "+q.b.p(ws)+" AND type = 'group' AND group_id IS NOT NULL) GROUP BY group_id)",
			"pa AS (SELECT DISTINCT profile_id, group_id FROM profile_events WHERE workspace = "+q.b.p(ws)+" AND type = 'group' AND group_id IS NOT NULL)",
			"ac AS (SELECT pa.profile_id, "+strings.Join(q.acc, ", ")+" FROM pa JOIN ga USING (group_id) GROUP BY pa.profile_id)")
		joins += " LEFT JOIN ac USING (profile_id)"
	}
	sel := "u.profile_id"
	if count {
		sel = "count(*)"
	}
	stmt := "WITH " + strings.Join(with, ",\n") + "\nSELECT " + sel + " FROM u" + joins + " WHERE " + where
	if !count {
		stmt += " ORDER BY u.profile_id"
	}
	return stmt, q.b.args
}

func (q *segmentQuery) cutoff(days int) string {
	return q.b.p(q.now.Add(-time.Duration(days) * 24 * time.Hour))
}

// agg adds a column to the ev, fb or account pass, or reuses the column
// made for the same key (the same fact read with the same window).
func (q *segmentQuery) agg(list *[]string, idx map[string]string, prefix, key string, expr func() string) string {
	if name, ok := idx[key]; ok {
		return name
	}
	name := fmt.Sprintf("%s%d", prefix, len(*list))
	*list = append(*list, expr()+" AS "+name)
	idx[key] = name
	return name
}

func (q *segmentQuery) expr(n *segment.Node) string {
	switch n.Kind {
	case segment.NodeTrue:
		return "true"
	case segment.NodeFalse:
		return "false"
	case segment.NodeAnd, segment.NodeOr:
		var parts []string
		for _, k := range n.Kids {
			parts = append(parts, q.expr(k))
		}
		op := " AND "
		if n.Kind == segment.NodeOr {
			op = " OR "
		}
		return "(" + strings.Join(parts, op) + ")"
	case segment.NodeNot:
		return "(NOT " + q.expr(n.Kids[0]) + ")"
	case segment.NodeTrait:
		return q.b.cmp("json_extract(tr.t, "+q.b.p(pointer(n.Key))+")", n.Cmp)
	case segment.NodeComputed:
		return q.b.cmp("to_json(coalesce(cp."+n.Key+", 0))", n.Cmp)
	case segment.NodeAccount:
		// Each account's latest value of the key, then whether any of
		// the profile's accounts passes.
		v := q.agg(&q.accKey, q.accIdx, "a", n.Key, func() string {
			ptr := q.b.p(pointer(n.Key))
			return "max({'t': timestamp, 'v': json_extract(g, " + ptr + ")}) FILTER (WHERE coalesce(json_type(g, " + ptr + ") <> 'NULL', false))"
		})
		col := fmt.Sprintf("ac%d", len(q.acc))
		q.acc = append(q.acc, "coalesce(bool_or("+q.b.cmp(v+".v", n.Cmp)+"), false) AS "+col)
		return "coalesce(" + col + ", false)"
	case segment.NodeSegment:
		// Plans compiled for the analytics store inline other segments.
		return "false"
	}
	f := n.Fact
	switch n.Kind {
	case segment.NodeCount:
		var col string
		if f.Kind == segment.FactSentiment {
			col = "fb." + q.agg(&q.fb, q.fbIdx, "s", fmt.Sprintf("%s|%d", f.Key, n.Window), func() string {
				cond := "sentiment = " + q.b.p(f.Sentiment)
				if n.Window > 0 {
					cond += " AND created_at >= " + q.cutoff(n.Window)
				}
				return "count(*) FILTER (WHERE " + cond + ")"
			})
		} else {
			col = "ev." + q.agg(&q.aggs, q.aggIdx, "c", fmt.Sprintf("%s|%d", f.Key, n.Window), func() string {
				cond := q.b.factMatch(f)
				if n.Window > 0 {
					cond += " AND timestamp >= " + q.cutoff(n.Window)
				}
				return "count(*) FILTER (WHERE " + cond + ")"
			})
		}
		op := map[string]string{touchpoint.OpEq: "=", touchpoint.OpNeq: "<>", touchpoint.OpGt: ">", touchpoint.OpGte: ">=", touchpoint.OpLt: "<", touchpoint.OpLte: "<="}[n.CountOp]
		return fmt.Sprintf("(coalesce(%s, 0) %s %d)", col, op, n.Count)
	case segment.NodeLatest, segment.NodeEarliest:
		var t, v string
		switch {
		case n.Kind == segment.NodeEarliest:
			t = "ev." + q.agg(&q.aggs, q.aggIdx, "e", "e|"+f.Key, func() string { return "min(timestamp) FILTER (WHERE " + q.b.factMatch(f) + ")" })
		case f.ValueKind == segment.ValueNone:
			t = "ev." + q.agg(&q.aggs, q.aggIdx, "l", "l|"+f.Key, func() string { return "max(timestamp) FILTER (WHERE " + q.b.factMatch(f) + ")" })
		default:
			col := "ev." + q.agg(&q.aggs, q.aggIdx, "l", "l|"+f.Key, func() string {
				return "max({'t': timestamp, 'v': " + q.b.factValue(f) + "}) FILTER (WHERE " + q.b.factMatch(f) + ")"
			})
			t, v = col+".t", col+".v"
		}
		present := t + " IS NOT NULL"
		if n.Window > 0 {
			present = "coalesce(" + t + " >= " + q.cutoff(n.Window) + ", false)"
		}
		switch n.TimeOp {
		case touchpoint.OpExists:
			return "(" + present + ")"
		case touchpoint.OpNotExists:
			return "(NOT (" + present + "))"
		case touchpoint.OpWithinLast:
			return "coalesce(" + t + " >= " + q.cutoff(n.Days) + ", false)"
		case touchpoint.OpMoreThan:
			return "coalesce(" + t + " < " + q.cutoff(n.Days) + ", false)"
		}
		// A comparison of the value; a value outside the window is missing.
		val := "to_json(" + v + ")"
		return "(CASE WHEN " + present + " THEN " + q.b.cmp(val, n.Cmp) + " ELSE " + q.b.cmp("NULL::JSON", n.Cmp) + " END)"
	}
	return "false"
}

// EstimateSegment counts the profiles a plan selects now. Plans must be
// compiled with segment references inlined.
func (w *Warehouse) EstimateSegment(ctx context.Context, workspace string, p *segment.Plan, now time.Time) (size, total int64, err error) {
	stmt, args := compileSegment(workspace, p, now, true)
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("estimate segment: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("estimate segment: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, stmt, args...).Scan(&size); err != nil {
		return 0, 0, fmt.Errorf("estimate segment: %w", err)
	}
	if err := tx.QueryRowContext(ctx, w.query("segment_universe"), sql.Named("workspace", workspace)).Scan(&total); err != nil {
		return 0, 0, fmt.Errorf("estimate segment: %w", err)
	}
	return size, total, nil
}

// EvaluateSegment lists, in order, the profiles a plan selects now.
func (w *Warehouse) EvaluateSegment(ctx context.Context, workspace string, p *segment.Plan, now time.Time) ([]string, error) {
	stmt, args := compileSegment(workspace, p, now, false)
	rows, err := w.db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("evaluate segment: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("evaluate segment: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SegmentSQL returns the statement a plan compiles to, for reading.
func SegmentSQL(workspace string, p *segment.Plan, now time.Time) string {
	stmt, _ := compileSegment(workspace, p, now, false)
	return stmt
}
