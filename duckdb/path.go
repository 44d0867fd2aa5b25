package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/touchpoint-cx/touchpoint"
)

// Paths lists what customers do after (or before) their first anchor
// activity in range, as the most common sequences and as a Sankey chart.
// Channels filter the anchor; the activities around it are taken on every
// channel, since that is what the customer did next.
func (w *Warehouse) Paths(ctx context.Context, r touchpoint.PathsRequest) (*touchpoint.PathsResponse, error) {
	return analyze(ctx, w, "paths", r.Validate, func(conn *sql.Conn) (*touchpoint.PathsResponse, error) {
		return w.paths(ctx, conn, r)
	})
}

func (w *Warehouse) paths(ctx context.Context, conn *sql.Conn, r touchpoint.PathsRequest) (*touchpoint.PathsResponse, error) {
	codes, names, err := activities(ctx, conn)
	if err != nil {
		return nil, err
	}
	out := &touchpoint.PathsResponse{Event: r.Event, Direction: r.Direction, Sequences: []touchpoint.PathSequence{},
		Nodes: []touchpoint.SankeyNode{}, Links: []touchpoint.SankeyLink{}}
	from, to := micros(r.From, minMicros), micros(r.To, maxMicros)
	p := &params{}
	scope, err := scopeSQL(r.Scope, p)
	if err != nil {
		return nil, err
	}
	act := ""
	if r.Event != "" {
		c, ok := codes[r.Event]
		if !ok {
			return out, nil // never seen: no one did it
		}
		act = p.add(c)
		out.Event = r.Event
	}
	q, err := w.render("paths_anchor", map[string]string{"Scope": scope, "Act": act})
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, q, append(p.args, sql.Named("from", from), sql.Named("to", to))...); err != nil {
		return nil, err
	}
	if err := conn.QueryRowContext(ctx, w.query("paths_count")).Scan(&out.Profiles); err != nil {
		return nil, err
	}
	build := "paths_after"
	if r.Direction == touchpoint.DirectionBefore {
		build = "paths_before"
	}
	args := []any{sql.Named("workspace", r.Workspace), sql.Named("steps", r.Steps)}
	if r.Direction == touchpoint.DirectionBefore {
		args = append(args, sql.Named("from", from))
	} else {
		args = append(args, sql.Named("to", to))
	}
	if _, err := conn.ExecContext(ctx, w.query(build), args...); err != nil {
		return nil, err
	}
	name := func(code int32) string {
		if code < 0 {
			if r.Direction == touchpoint.DirectionBefore {
				return touchpoint.PathStart
			}
			return touchpoint.PathEnd
		}
		return names[code]
	}

	// The most common sequences, anchor left out, in time order.
	rows, err := conn.QueryContext(ctx, w.query("paths_sequences"), sql.Named("top", r.Top))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var path []any
		var s touchpoint.PathSequence
		if err := rows.Scan(&path, &s.Count); err != nil {
			rows.Close()
			return nil, err
		}
		for _, v := range path[1:] {
			s.Events = append(s.Events, name(v.(int32)))
		}
		if len(path)-1 < r.Steps {
			s.Events = append(s.Events, name(-1))
		}
		if r.Direction == touchpoint.DirectionBefore {
			for i, j := 0, len(s.Events)-1; i < j; i, j = i+1, j-1 {
				s.Events[i], s.Events[j] = s.Events[j], s.Events[i]
			}
		}
		out.Sequences = append(out.Sequences, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// The Sankey chart: links by place, the busiest activities of each
	// place kept and the rest folded into "(other)".
	type link struct {
		place int
		a, b  string
		n     int64
	}
	var links []link
	if rows, err = conn.QueryContext(ctx, w.query("paths_links"), sql.Named("steps", r.Steps)); err != nil {
		return nil, err
	}
	for rows.Next() {
		var l link
		var a, b int32
		if err := rows.Scan(&l.place, &a, &b, &l.n); err != nil {
			rows.Close()
			return nil, err
		}
		l.a, l.b = name(a), name(b)
		links = append(links, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	volume := map[int]map[string]int64{} // place → activity → customers
	add := func(place int, a string, n int64) {
		if volume[place] == nil {
			volume[place] = map[string]int64{}
		}
		volume[place][a] += n
	}
	for _, l := range links {
		if l.place == 0 {
			add(0, l.a, l.n)
		}
		add(l.place+1, l.b, l.n)
	}
	kept := map[int]map[string]bool{}
	for place, acts := range volume {
		var list []string
		for a := range acts {
			list = append(list, a)
		}
		sort.Slice(list, func(i, j int) bool {
			if acts[list[i]] != acts[list[j]] {
				return acts[list[i]] > acts[list[j]]
			}
			return list[i] < list[j]
		})
		kept[place] = map[string]bool{}
		for i, a := range list {
			if i < r.NodesPerStep || a == touchpoint.PathEnd || a == touchpoint.PathStart {
				kept[place][a] = true
			}
		}
	}
	sign := 1
	if r.Direction == touchpoint.DirectionBefore {
		sign = -1
	}
	id := func(place int, a string) string {
		if !kept[place][a] {
			a = touchpoint.PathOther
		}
		return fmt.Sprintf("%d:%s", sign*place, a)
	}
	nodes := map[string]*touchpoint.SankeyNode{}
	for place, acts := range volume {
		for a, n := range acts {
			nid := id(place, a)
			if nodes[nid] == nil {
				ev := a
				if !kept[place][a] {
					ev = touchpoint.PathOther
				}
				nodes[nid] = &touchpoint.SankeyNode{ID: nid, Step: sign * place, Event: ev}
			}
			nodes[nid].Count += n
		}
	}
	merged := map[[2]string]int64{}
	for _, l := range links {
		src, dst := id(l.place, l.a), id(l.place+1, l.b)
		if sign < 0 {
			src, dst = dst, src // time flows towards the anchor
		}
		merged[[2]string{src, dst}] += l.n
	}
	for _, n := range nodes {
		out.Nodes = append(out.Nodes, *n)
	}
	sort.Slice(out.Nodes, func(i, j int) bool {
		a, b := out.Nodes[i], out.Nodes[j]
		if a.Step != b.Step {
			return a.Step < b.Step
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.ID < b.ID
	})
	for k, n := range merged {
		out.Links = append(out.Links, touchpoint.SankeyLink{Source: k[0], Target: k[1], Value: n})
	}
	sort.Slice(out.Links, func(i, j int) bool {
		a, b := out.Links[i], out.Links[j]
		if a.Value != b.Value {
			return a.Value > b.Value
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Target < b.Target
	})
	return out, nil
}
