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

// breakdownGroups is how many breakdown values a funnel reports.
const breakdownGroups = 20

// Funnel counts the distinct customers reaching each step of r, in order.
//
// Each step-1 event in range starts an attempt; an attempt advances step by
// step to the first matching event after its current one (loose order) or
// only to the customer's very next activity (strict order), as long as it
// stays within the window of its start. A customer counts at a step when
// any of their attempts gets there, which needs no sort of the events: the
// path positions were computed when the journeys were refreshed, and each
// step is one ASOF join.
func (w *Warehouse) Funnel(ctx context.Context, r touchpoint.FunnelRequest) (*touchpoint.FunnelResponse, error) {
	return analyze(ctx, w, "funnel", r.Validate, func(conn *sql.Conn) (*touchpoint.FunnelResponse, error) {
		return w.funnel(ctx, conn, r)
	})
}

func (w *Warehouse) funnel(ctx context.Context, conn *sql.Conn, r touchpoint.FunnelRequest) (*touchpoint.FunnelResponse, error) {
	for _, q := range []string{"funnel_create_keys", "funnel_create_events", "funnel_create_reached"} {
		if _, err := conn.ExecContext(ctx, w.query(q)); err != nil {
			return nil, err
		}
	}
	codes, _, err := activities(ctx, conn)
	if err != nil {
		return nil, err
	}
	from, to := micros(r.From, minMicros), micros(r.To, maxMicros)
	window := r.WindowDuration.Microseconds()
	sp := &params{}
	scope, err := scopeSQL(r.Scope, sp)
	if err != nil {
		return nil, err
	}
	bf, _ := touchpoint.SplitField("breakdown", r.Breakdown)
	events, err := w.render("funnel_events", map[string]any{"Scope": scope, "Key": r.Breakdown != "" && bf.Kind != touchpoint.FieldTrait})
	if err != nil {
		return nil, err
	}
	for i, s := range r.Steps {
		act, ok := codes[s.Event]
		if !ok {
			act = -1 // an activity never seen matches nothing
		}
		if len(s.Where) > 0 {
			p := &params{}
			var conds []string
			for j := range s.Where {
				c, err := conditionSQL(s.Where[j], "e", "", p)
				if err != nil {
					return nil, touchpoint.FieldError(fmt.Sprintf("steps[%d].where[%d].field", i, j), "%s", touchpoint.ErrorMessage(err))
				}
				conds = append(conds, c)
			}
			q, err := w.render("funnel_keys", map[string]string{"Where": strings.Join(conds, " AND ")})
			if err != nil {
				return nil, err
			}
			args := append(p.args, sql.Named("step", i+1), sql.Named("workspace", r.Workspace))
			if _, err := conn.ExecContext(ctx, q, args...); err != nil {
				return nil, err
			}
		}
		// Later steps may land up to a window after the range.
		args := append(sp.args, sql.Named("step", i+1), sql.Named("act", act), sql.Named("filtered", len(s.Where) > 0),
			sql.Named("from", from), sql.Named("until", min(to, maxMicros-window)+window))
		if _, err := conn.ExecContext(ctx, events, args...); err != nil {
			return nil, err
		}
	}

	// The attempts, with the breakdown value of their start.
	p := &params{}
	var bd, join string
	if r.Breakdown != "" {
		f, _ := touchpoint.SplitField("breakdown", r.Breakdown) // validated
		if bd, err = fieldSQL(f, "e", "pt.traits", p); err != nil {
			return nil, err
		}
		join = "LEFT JOIN events e ON e.key = f.key"
		if f.Kind == touchpoint.FieldTrait {
			join = fmt.Sprintf(`LEFT JOIN journey_profiles jp ON jp.workspace = %[1]s AND jp.pnum = f.pnum
				LEFT JOIN profile_traits pt ON pt.workspace = %[1]s AND pt.profile_id = jp.profile_id`, p.add(r.Workspace))
		}
	}
	q, err := w.render("funnel_start", map[string]string{"Breakdown": bd, "Join": join})
	if err != nil {
		return nil, err
	}
	args := append(p.args, sql.Named("from", from), sql.Named("to", to))
	if _, err := conn.ExecContext(ctx, q, args...); err != nil {
		return nil, err
	}
	if r.Breakdown != "" {
		if _, err := conn.ExecContext(ctx, w.query("funnel_group")); err != nil {
			return nil, err
		}
	}

	next := "funnel_next_loose"
	if r.Order == touchpoint.OrderStrict {
		next = "funnel_next_strict"
	}
	out := &touchpoint.FunnelResponse{}
	nextSQL, cur := map[string]string{}, "f_a"
	for _, tables := range [][2]string{{"f_a", "f_b"}, {"f_b", "f_a"}} {
		if nextSQL[tables[0]], err = w.render(next, map[string]string{"Cur": tables[0], "Next": tables[1]}); err != nil {
			return nil, err
		}
	}
	for i, s := range r.Steps {
		step := i + 1
		if step > 1 {
			if _, err := conn.ExecContext(ctx, nextSQL[cur], sql.Named("step", step), sql.Named("window", window)); err != nil {
				return nil, err
			}
			cur = map[string]string{"f_a": "f_b", "f_b": "f_a"}[cur]
		}
		stats, err := w.render("funnel_stats", map[string]any{"Cur": cur, "First": step == 1})
		if err != nil {
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, stats, sql.Named("step", step)); err != nil {
			return nil, err
		}
		res := touchpoint.FunnelStepResult{Event: s.Event, DroppedProfiles: []string{}}
		var dt, dt0 sql.NullFloat64
		if err := conn.QueryRowContext(ctx, w.query("funnel_step_stats"), sql.Named("step", step)).Scan(&res.Count, &dt, &dt0); err != nil {
			return nil, err
		}
		if step > 1 {
			res.MedianSeconds, res.MedianSecondsFromStart = nullFloat(dt), nullFloat(dt0)
			prev := out.Steps[i-1].Count
			res.Dropped = prev - res.Count
			if prev > 0 {
				res.StepConversion = float64(res.Count) / float64(prev)
			}
		} else if res.Count > 0 {
			res.StepConversion = 1
		}
		if first := out.Steps; len(first) > 0 && first[0].Count > 0 {
			res.Conversion = float64(res.Count) / float64(first[0].Count)
		} else if step == 1 && res.Count > 0 {
			res.Conversion = 1
		}
		out.Steps = append(out.Steps, res)
	}
	if r.DropOffLimit > 0 && len(r.Steps) > 1 {
		if err := w.funnelDropped(ctx, conn, r.Workspace, out, r.DropOffLimit); err != nil {
			return nil, err
		}
	}
	if r.Breakdown != "" {
		if out.Breakdown, err = w.funnelBreakdown(ctx, conn, len(r.Steps)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// funnelDropped names, for every step, some of the customers who reached
// the step before it and not this one.
func (w *Warehouse) funnelDropped(ctx context.Context, conn *sql.Conn, workspace string, out *touchpoint.FunnelResponse, limit int) error {
	byStep := map[int][]int32{}
	var all []string
	for i, st := range out.Steps[1:] {
		step := i + 2
		if st.Dropped == 0 {
			continue
		}
		rows, err := conn.QueryContext(ctx, w.query("funnel_dropped"), sql.Named("step", step), sql.Named("limit", limit))
		if err != nil {
			return err
		}
		for rows.Next() {
			var pnum int32
			if err := rows.Scan(&pnum); err != nil {
				rows.Close()
				return err
			}
			byStep[step] = append(byStep[step], pnum)
			all = append(all, strconv.Itoa(int(pnum)))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if len(all) == 0 {
		return nil
	}
	q, err := w.render("funnel_profile_ids", map[string]string{"Pnums": strings.Join(all, ", ")})
	if err != nil {
		return err
	}
	rows, err := conn.QueryContext(ctx, q, sql.Named("workspace", workspace))
	if err != nil {
		return err
	}
	ids := map[int32]string{}
	for rows.Next() {
		var pnum int32
		var id string
		if err := rows.Scan(&pnum, &id); err != nil {
			rows.Close()
			return err
		}
		ids[pnum] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for step, pnums := range byStep {
		names := make([]string, 0, len(pnums))
		for _, p := range pnums {
			names = append(names, ids[p])
		}
		sort.Strings(names)
		out.Steps[step-1].DroppedProfiles = names
	}
	return nil
}

func (w *Warehouse) funnelBreakdown(ctx context.Context, conn *sql.Conn, steps int) ([]touchpoint.FunnelBreakdown, error) {
	rows, err := conn.QueryContext(ctx, w.query("funnel_breakdown"), sql.Named("limit", breakdownGroups))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byValue := map[string][]int64{}
	var order []string
	for rows.Next() {
		var v string
		var step int
		var n int64
		if err := rows.Scan(&v, &step, &n); err != nil {
			return nil, err
		}
		if _, ok := byValue[v]; !ok {
			byValue[v] = make([]int64, steps)
			order = append(order, v)
		}
		byValue[v][step-1] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]touchpoint.FunnelBreakdown, 0, len(order))
	for _, v := range order {
		out = append(out, touchpoint.FunnelBreakdown{Value: v, Counts: byValue[v]})
	}
	// Biggest groups first, as a chart legend reads.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Counts[0] > out[j-1].Counts[0]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}
