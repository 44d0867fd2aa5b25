package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// stageBase numbers stages apart from activities on a stage map.
const stageBase = 1 << 30

// maxUndesigned bounds the undesigned transitions a conformance check lists.
const maxUndesigned = 20

// JourneyMap discovers the journey map: a directly-follows graph of the
// customers' activities in the scope.
//
// A plain map (a range, a segment) reads the paths as the journey tables
// hold them, with no sort. A map over some channels only, with activities
// left out or folded into stages, changes what a path is made of, so its
// paths are recomputed from the events in scope first.
func (w *Warehouse) JourneyMap(ctx context.Context, r touchpoint.JourneyMapRequest) (*touchpoint.JourneyMap, error) {
	return analyze(ctx, w, "journey map", r.Validate, func(conn *sql.Conn) (*touchpoint.JourneyMap, error) {
		return w.journeyMap(ctx, conn, r)
	})
}

// mapQuery holds what every statement of one journey map shares.
type mapQuery struct {
	w        *Warehouse
	conn     *sql.Conn
	scope    touchpoint.Scope
	table    string
	from, to int64
	keep     bool // restrict to jm_keep
	bounded  bool // a date range applies
	names    map[int32]string
}

// query renders a journey map template and runs it with the map's range.
func (m *mapQuery) query(ctx context.Context, name string, extra ...any) (*sql.Rows, error) {
	q, args, err := m.statement(name, extra...)
	if err != nil {
		return nil, err
	}
	return m.conn.QueryContext(ctx, q, args...)
}

func (m *mapQuery) exec(ctx context.Context, name string, extra ...any) error {
	q, args, err := m.statement(name, extra...)
	if err != nil {
		return err
	}
	_, err = m.conn.ExecContext(ctx, q, args...)
	return err
}

func (m *mapQuery) statement(name string, extra ...any) (string, []any, error) {
	p := &params{}
	s := m.scope
	if m.table != "journey_events" {
		s.Channels = nil // already applied when the paths were recomputed
	}
	scope, err := scopeSQL(s, p)
	if err != nil {
		return "", nil, err
	}
	if m.keep {
		scope += " AND j.pnum IN (SELECT pnum FROM jm_keep)"
	}
	q, err := m.w.render(name, map[string]any{"Table": m.table, "Scope": scope, "Bounded": m.bounded})
	if err != nil {
		return "", nil, err
	}
	args := append(p.args, sql.Named("from", m.from), sql.Named("to", m.to))
	return q, append(args, extra...), nil
}

func (w *Warehouse) journeyMap(ctx context.Context, conn *sql.Conn, r touchpoint.JourneyMapRequest) (*touchpoint.JourneyMap, error) {
	codes, names, err := activities(ctx, conn)
	if err != nil {
		return nil, err
	}
	m := &mapQuery{w: w, conn: conn, scope: r.Scope, table: "journey_events", names: names,
		from: micros(r.From, minMicros), to: micros(r.To, maxMicros), bounded: r.From != nil || r.To != nil}

	// Stage maps, channel filters and left-out activities recompute paths.
	if len(r.Stages) > 0 || len(r.Channels) > 0 || len(r.Exclude) > 0 {
		if err := m.recompute(ctx, r, codes); err != nil {
			return nil, err
		}
	}
	if r.TopVariants > 0 {
		if err := m.fingerprints(ctx, r); err != nil {
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, w.query("journeymap_keep"), sql.Named("limit", r.TopVariants)); err != nil {
			return nil, err
		}
		m.keep = true
	}

	out := &touchpoint.JourneyMap{Nodes: []touchpoint.JourneyNode{}, Edges: []touchpoint.JourneyEdge{}, Variants: []touchpoint.JourneyVariant{}}
	nodeIndex := map[string]int{}
	rows, err := m.query(ctx, "journeymap_nodes")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var act int32
		var n touchpoint.JourneyNode
		if err := rows.Scan(&act, &n.Count, &n.Profiles, &n.Starts, &n.Exits, &n.RepeatProfiles); err != nil {
			rows.Close()
			return nil, err
		}
		n.ID = m.names[act]
		n.Rework = n.Count - n.Profiles
		if n.Profiles > 0 {
			n.DropOff = float64(n.Exits) / float64(n.Profiles)
		}
		out.Events += n.Count
		out.Profiles += n.Starts
		out.Nodes = append(out.Nodes, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out.Nodes, func(i, j int) bool {
		if out.Nodes[i].Count != out.Nodes[j].Count {
			return out.Nodes[i].Count > out.Nodes[j].Count
		}
		return out.Nodes[i].ID < out.Nodes[j].ID
	})
	for i, n := range out.Nodes {
		nodeIndex[n.ID] = i
	}

	if rows, err = m.query(ctx, "journeymap_edges"); err != nil {
		return nil, err
	}
	for rows.Next() {
		var a, b int32
		var e touchpoint.JourneyEdge
		var q []any
		if err := rows.Scan(&a, &b, &e.Count, &e.Profiles, &q); err != nil {
			rows.Close()
			return nil, err
		}
		e.MedianSeconds, e.P90Seconds = q[0].(float64)/1e6, q[1].(float64)/1e6
		e.From, e.To, e.Loop = m.names[a], m.names[b], a == b
		out.Edges = append(out.Edges, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out.Edges, func(i, j int) bool {
		a, b := out.Edges[i], out.Edges[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.From != b.From {
			return a.From < b.From
		}
		return a.To < b.To
	})

	if err := m.cx(ctx, r, codes, out, nodeIndex); err != nil {
		return nil, err
	}
	if out.Variants, err = m.variants(ctx, r, out.Profiles); err != nil {
		return nil, err
	}
	if r.Designed != nil {
		if out.Conformance, err = m.conformance(ctx, r, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recompute builds jm_seq: the events in scope as paths of their own.
func (m *mapQuery) recompute(ctx context.Context, r touchpoint.JourneyMapRequest, codes map[string]int32) error {
	p := &params{}
	scope, err := scopeSQL(r.Scope, p)
	if err != nil {
		return err
	}
	act := "j.act"
	var excluded []int32
	for _, e := range r.Exclude {
		if c, ok := codes[e]; ok {
			excluded = append(excluded, c)
		}
	}
	if len(r.Stages) > 0 {
		// Stages are numbered in the order of their names; activities map
		// to them through two parallel lists.
		var stages []string
		seen := map[string]bool{}
		for _, s := range r.Stages {
			if !seen[s] {
				seen[s] = true
				stages = append(stages, s)
			}
		}
		sort.Strings(stages)
		stageCode := map[string]int32{}
		for i, s := range stages {
			stageCode[s] = int32(stageBase + i)
			m.names[int32(stageBase+i)] = s
		}
		var acts, to []int32
		for a, s := range r.Stages {
			if c, ok := codes[a]; ok {
				acts, to = append(acts, c), append(to, stageCode[s])
			}
		}
		if len(acts) == 0 {
			acts, to = []int32{-1}, []int32{-1}
		}
		act = fmt.Sprintf("%s[list_position(%s, j.act)]", p.add(to), p.add(acts))
	}
	if len(excluded) > 0 {
		act = fmt.Sprintf("CASE WHEN list_contains(%s, j.act) THEN NULL ELSE %s END", p.add(excluded), act)
	}
	q, err := m.w.render("journeymap_sequence", map[string]any{"Scope": scope, "Act": act, "Collapse": len(r.Stages) > 0})
	if err != nil {
		return err
	}
	args := append(p.args, sql.Named("from", m.from), sql.Named("to", m.to))
	if _, err := m.conn.ExecContext(ctx, q, args...); err != nil {
		return err
	}
	m.table = "jm_seq"
	return nil
}

// cxSums are the survey answers and feedback behind one node's CX, in
// sums that add up across the activities a stage folds together.
type cxSums struct {
	nps, npsProm, npsDet      int64
	csat, csatSat             int64
	ces                       int64
	cesTotal, scaled, answers float64

	texts, pos, neu, neg int64
	sentiment            float64
	topics               map[string]*touchpoint.NodeTopic
}

// maxNodeTopics is how many topics a node lists.
const maxNodeTopics = 5

func (m *mapQuery) cx(ctx context.Context, r touchpoint.JourneyMapRequest, codes map[string]int32, out *touchpoint.JourneyMap, nodeIndex map[string]int) error {
	// Answers and feedback belong to the activity before them; on a stage
	// map, to that activity's stage.
	stageOf := map[int32]string{}
	for a, s := range r.Stages {
		if c, ok := codes[a]; ok {
			stageOf[c] = s
		}
	}
	sums := map[string]*cxSums{}
	sumsOf := func(act int32) *cxSums {
		node := m.names[act]
		if len(r.Stages) > 0 {
			if node = stageOf[act]; node == "" {
				return nil
			}
		}
		if _, ok := nodeIndex[node]; !ok {
			return nil
		}
		c := sums[node]
		if c == nil {
			c = &cxSums{topics: map[string]*touchpoint.NodeTopic{}}
			sums[node] = c
		}
		return c
	}
	err := m.cxQuery(ctx, r, "journeymap_cx", func(rows *sql.Rows) error {
		var act int32
		var typ string
		var n, prom, det, sat int64
		var total, scaled sql.NullFloat64
		if err := rows.Scan(&act, &typ, &n, &prom, &det, &sat, &total, &scaled); err != nil {
			return err
		}
		c := sumsOf(act)
		if c == nil {
			return nil
		}
		c.answers += float64(n)
		c.scaled += scaled.Float64
		switch typ {
		case touchpoint.OutcomeNPS:
			c.nps, c.npsProm, c.npsDet = c.nps+n, c.npsProm+prom, c.npsDet+det
		case touchpoint.OutcomeCSAT:
			c.csat, c.csatSat = c.csat+n, c.csatSat+sat
		case touchpoint.OutcomeCES:
			c.ces, c.cesTotal = c.ces+n, c.cesTotal+total.Float64
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = m.cxQuery(ctx, r, "journeymap_sentiment", func(rows *sql.Rows) error {
		var act int32
		var n, pos, neu, neg int64
		var total float64
		if err := rows.Scan(&act, &n, &total, &pos, &neu, &neg); err != nil {
			return err
		}
		if c := sumsOf(act); c != nil {
			c.texts, c.sentiment, c.pos, c.neu, c.neg = c.texts+n, c.sentiment+total, c.pos+pos, c.neu+neu, c.neg+neg
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = m.cxQuery(ctx, r, "journeymap_topics", func(rows *sql.Rows) error {
		var act int32
		var topic string
		var n, neg int64
		if err := rows.Scan(&act, &topic, &n, &neg); err != nil {
			return err
		}
		c := sumsOf(act)
		if c == nil {
			return nil
		}
		t := c.topics[topic]
		if t == nil {
			t = &touchpoint.NodeTopic{Topic: topic}
			c.topics[topic] = t
		}
		t.Items, t.Negative = t.Items+n, t.Negative+neg
		return nil
	})
	if err != nil {
		return err
	}
	for node, c := range sums {
		cx := &touchpoint.NodeCX{Responses: c.nps + c.csat + c.ces, NPSResponses: c.nps, CSATResponses: c.csat, CESResponses: c.ces}
		if c.nps > 0 {
			v := 100 * float64(c.npsProm-c.npsDet) / float64(c.nps)
			cx.NPS = &v
		}
		if c.csat > 0 {
			v := 100 * float64(c.csatSat) / float64(c.csat)
			cx.CSAT = &v
		}
		if c.ces > 0 {
			v := c.cesTotal / float64(c.ces)
			cx.CES = &v
		}
		if c.answers > 0 {
			v := c.scaled / c.answers
			cx.Score = &v
		}
		if c.texts > 0 {
			cx.Sentiment = &touchpoint.NodeSentiment{Items: c.texts, Average: c.sentiment / float64(c.texts),
				Positive: c.pos, Neutral: c.neu, Negative: c.neg, Topics: topTopics(c.topics)}
		}
		if cx.Responses == 0 && cx.Score == nil && cx.Sentiment == nil {
			continue // answers without a score on this node's scales
		}
		out.Nodes[nodeIndex[node]].CX = cx
	}
	return nil
}

// cxQuery runs one of the map's CX statements over the answers and
// feedback in the map's scope, handing each row to scan.
func (m *mapQuery) cxQuery(ctx context.Context, r touchpoint.JourneyMapRequest, name string, scan func(*sql.Rows) error) error {
	p := &params{}
	s := r.Scope
	s.Channels = nil // answers are counted on whatever channel they came in
	scope, err := scopeSQL(s, p)
	if err != nil {
		return err
	}
	if m.keep {
		scope += " AND j.pnum IN (SELECT pnum FROM jm_keep)"
	}
	q, err := m.w.render(name, map[string]string{"Scope": scope})
	if err != nil {
		return err
	}
	rows, err := m.conn.QueryContext(ctx, q, append(p.args, sql.Named("from", m.from), sql.Named("to", m.to))...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// topTopics lists the most mentioned topics first, at most maxNodeTopics.
func topTopics(byName map[string]*touchpoint.NodeTopic) []touchpoint.NodeTopic {
	out := make([]touchpoint.NodeTopic, 0, len(byName))
	for _, t := range byName {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Items != out[j].Items {
			return out[i].Items > out[j].Items
		}
		return out[i].Topic < out[j].Topic
	})
	if len(out) > maxNodeTopics {
		out = out[:maxNodeTopics]
	}
	return out
}

// fingerprints fills jm_variants: each customer's path in the map as one
// hash. Whole paths were fingerprinted by the refresh; a date range or
// recomputed paths need their own.
func (m *mapQuery) fingerprints(ctx context.Context, r touchpoint.JourneyMapRequest) error {
	if m.table == "journey_events" && r.From == nil && r.To == nil {
		keep := m.keep
		m.keep = false // jm_keep is built from these
		err := m.exec(ctx, "journeymap_profile_variants")
		m.keep = keep
		return err
	}
	keep := m.keep
	m.keep = false
	err := m.exec(ctx, "journeymap_variants")
	m.keep = keep
	return err
}

func (m *mapQuery) variants(ctx context.Context, r touchpoint.JourneyMapRequest, total int64) ([]touchpoint.JourneyVariant, error) {
	if r.TopVariants == 0 {
		if err := m.fingerprints(ctx, r); err != nil {
			return nil, err
		}
	}
	rows, err := m.conn.QueryContext(ctx, m.w.query("journeymap_top_variants"), sql.Named("limit", r.Variants))
	if err != nil {
		return nil, err
	}
	type top struct {
		profiles int64
		example  int32
	}
	var tops []top
	for rows.Next() {
		var v uint64
		var n int64
		var t top
		if err := rows.Scan(&v, &n, &t.profiles, &t.example); err != nil {
			rows.Close()
			return nil, err
		}
		tops = append(tops, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []touchpoint.JourneyVariant{}
	if len(tops) == 0 {
		return out, nil
	}
	// The profile numbers are ours, so they go in the SQL as a literal
	// list, which DuckDB filters on far faster than a bound list.
	var examples []string
	for _, t := range tops {
		examples = append(examples, strconv.Itoa(int(t.example)))
	}
	q, err := m.w.render("journeymap_path", map[string]string{"Table": m.table, "Pnums": strings.Join(examples, ", ")})
	if err != nil {
		return nil, err
	}
	prows, err := m.conn.QueryContext(ctx, q, sql.Named("workspace", m.scope.Workspace), sql.Named("from", m.from), sql.Named("to", m.to))
	if err != nil {
		return nil, err
	}
	paths := map[int32][]string{}
	for prows.Next() {
		var pnum int32
		var path []any
		if err := prows.Scan(&pnum, &path); err != nil {
			prows.Close()
			return nil, err
		}
		for _, a := range path {
			paths[pnum] = append(paths[pnum], m.names[a.(int32)])
		}
	}
	prows.Close()
	if err := prows.Err(); err != nil {
		return nil, err
	}
	for _, t := range tops {
		v := touchpoint.JourneyVariant{Activities: paths[t.example], Profiles: t.profiles}
		if v.Activities == nil {
			v.Activities = []string{}
		}
		if total > 0 {
			v.Share = float64(t.profiles) / float64(total)
		}
		out = append(out, v)
	}
	return out, nil
}

func (m *mapQuery) conformance(ctx context.Context, r touchpoint.JourneyMapRequest, mp *touchpoint.JourneyMap) (*touchpoint.Conformance, error) {
	codeOf := map[string]int32{}
	for c, n := range m.names {
		if c < stageBase || len(r.Stages) > 0 {
			codeOf[n] = c
		}
	}
	designed := map[[2]string]bool{}
	designedActs := map[string]bool{}
	var acts []int32
	var edges []int64
	for _, e := range r.Designed.Edges {
		designed[[2]string{e.From, e.To}] = true
		for _, a := range []string{e.From, e.To} {
			if !designedActs[a] {
				designedActs[a] = true
				if c, ok := codeOf[a]; ok {
					acts = append(acts, c)
				}
			}
		}
		a, okA := codeOf[e.From]
		b, okB := codeOf[e.To]
		if okA && okB {
			edges = append(edges, int64(a)<<32+int64(b))
		}
	}
	if acts == nil {
		acts = []int32{-1}
	}
	if edges == nil {
		edges = []int64{-1}
	}
	c := &touchpoint.Conformance{Designed: []touchpoint.JourneyEdgeCount{}, Undesigned: []touchpoint.JourneyEdgeCount{}, Skipped: []touchpoint.ActivityCount{}}
	taken := map[[2]string]touchpoint.JourneyEdge{}
	var inDesign, between int64
	for _, e := range mp.Edges {
		taken[[2]string{e.From, e.To}] = e
		if designed[[2]string{e.From, e.To}] {
			inDesign += e.Count
		} else if len(c.Undesigned) < maxUndesigned {
			c.Undesigned = append(c.Undesigned, touchpoint.JourneyEdgeCount{From: e.From, To: e.To, Count: e.Count, Profiles: e.Profiles})
		}
		if designedActs[e.From] && designedActs[e.To] {
			between += e.Count
		}
	}
	if between > 0 {
		c.Fitness = float64(inDesign) / float64(between)
	}
	for _, e := range r.Designed.Edges {
		t := taken[[2]string{e.From, e.To}]
		c.Designed = append(c.Designed, touchpoint.JourneyEdgeCount{From: e.From, To: e.To, Count: t.Count, Profiles: t.Profiles})
	}
	var entered, deviating int64
	if err := m.queryRow(ctx, "journeymap_entered", []any{sql.Named("acts", acts)}, &entered); err != nil {
		return nil, err
	}
	if err := m.queryRow(ctx, "journeymap_conforming", []any{sql.Named("acts", acts), sql.Named("edges", edges)}, &deviating); err != nil {
		return nil, err
	}
	c.ConformingProfiles = entered - deviating
	profilesAt := map[string]int64{}
	for _, n := range mp.Nodes {
		profilesAt[n.ID] = n.Profiles
	}
	var names []string
	for a := range designedActs {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		c.Skipped = append(c.Skipped, touchpoint.ActivityCount{Activity: a, Profiles: entered - profilesAt[a]})
	}
	return c, nil
}

func (m *mapQuery) queryRow(ctx context.Context, name string, extra []any, dst ...any) error {
	q, args, err := m.statement(name, extra...)
	if err != nil {
		return err
	}
	return m.conn.QueryRowContext(ctx, q, args...).Scan(dst...)
}
