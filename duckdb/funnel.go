package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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
// step is one join of the attempts with the step's events.
func (w *Warehouse) Funnel(ctx context.Context, r touchpoint.FunnelRequest) (*touchpoint.FunnelResponse, error) {
	return analyze(ctx, w, "funnel", r.Validate, func(conn *sql.Conn) (*touchpoint.FunnelResponse, error) {
		return w.funnel(ctx, conn, r)
	})
}

func (w *Warehouse) funnel(ctx context.Context, conn *sql.Conn, r touchpoint.FunnelRequest) (*touchpoint.FunnelResponse, error) {
	codes, _, err := activities(ctx, conn)
	if err != nil {
		return nil, err
	}
	from, to := micros(r.From, minMicros), micros(r.To, maxMicros)
	window := r.WindowDuration.Microseconds()
	// Later steps may land up to a window after the range.
	until := min(to, maxMicros-window) + window
	act := func(i int) int32 {
		if a, ok := codes[r.Steps[i].Event]; ok {
			return a
		}
		return -1 // an activity never seen matches nothing
	}

	// The events that pass each step's conditions.
	filtered := make([]bool, len(r.Steps))
	for i, s := range r.Steps {
		if len(s.Where) == 0 {
			continue
		}
		if !slices.Contains(filtered, true) {
			if _, err := conn.ExecContext(ctx, w.query("funnel_create_keys")); err != nil {
				return nil, err
			}
		}
		filtered[i] = true
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

	// The attempts, with the breakdown value of their start.
	p := &params{}
	scope, err := scopeSQL(r.Scope, p)
	if err != nil {
		return nil, err
	}
	var bd, join string
	var key bool
	if r.Breakdown != "" {
		f, _ := touchpoint.SplitField("breakdown", r.Breakdown) // validated
		if bd, err = fieldSQL(f, "e", "pt.traits", p); err != nil {
			return nil, err
		}
		join, key = "LEFT JOIN events e ON e.key = c.key", true
		if f.Kind == touchpoint.FieldTrait {
			key = false
			join = fmt.Sprintf(`LEFT JOIN journey_profiles jp ON jp.workspace = %[1]s AND jp.pnum = c.pnum
				LEFT JOIN profile_traits pt ON pt.workspace = %[1]s AND pt.profile_id = jp.profile_id`, p.add(r.Workspace))
		}
	}
	q, err := w.render("funnel_start", map[string]any{"Scope": scope, "Filtered": filtered[0], "Plain": !filtered[0] && len(r.Channels) == 0,
		"Breakdown": bd, "Join": join, "Key": key})
	if err != nil {
		return nil, err
	}
	args := append(p.args, sql.Named("act", act(0)), sql.Named("from", from), sql.Named("to", to))
	if _, err := conn.ExecContext(ctx, q, args...); err != nil {
		return nil, err
	}
	if r.Breakdown != "" {
		for _, q := range []string{"funnel_group", "funnel_create_reached"} {
			if _, err := conn.ExecContext(ctx, w.query(q)); err != nil {
				return nil, err
			}
		}
	}

	// Later steps only meet the attempts' customers, who are in the
	// segment already: their events are filtered by workspace and channel.
	lp := &params{}
	later, err := scopeSQL(touchpoint.Scope{Workspace: r.Workspace, Channels: r.Channels}, lp)
	if err != nil {
		return nil, err
	}
	next := "funnel_next_loose"
	if r.Order == touchpoint.OrderStrict {
		next = "funnel_next_strict"
	}
	out := &touchpoint.FunnelResponse{}
	dropped := map[int][]int32{}
	var attempts int64
	cur, prev := "f_a", ""
	for i, s := range r.Steps {
		step := i + 1
		if step > 1 {
			prev, cur = cur, map[string]string{"f_a": "f_b", "f_b": "f_a"}[cur]
			q, err := w.render(next, map[string]any{"Cur": prev, "Next": cur, "Scope": later, "Filtered": filtered[i],
				"Unique": !filtered[i] && len(r.Channels) == 0, "Breakdown": r.Breakdown != ""})
			if err != nil {
				return nil, err
			}
			args := append(append([]any{}, lp.args...), sql.Named("step", step), sql.Named("act", act(i)), sql.Named("window", window),
				sql.Named("from", from), sql.Named("until", until))
			if _, err := conn.ExecContext(ctx, q, args...); err != nil {
				return nil, err
			}
		}
		q, err := w.render("funnel_step_stats", map[string]any{"Cur": cur, "First": step == 1})
		if err != nil {
			return nil, err
		}
		res := touchpoint.FunnelStepResult{Event: s.Event, DroppedProfiles: []string{}}
		var dt, dt0 sql.NullFloat64
		prevAttempts := attempts
		if err := conn.QueryRowContext(ctx, q).Scan(&res.Count, &attempts, &dt, &dt0); err != nil {
			return nil, err
		}
		if step > 1 {
			res.MedianSeconds, res.MedianSecondsFromStart = nullFloat(dt), nullFloat(dt0)
			before := out.Steps[i-1].Count
			res.Dropped = before - res.Count
			if before > 0 {
				res.StepConversion = float64(res.Count) / float64(before)
			}
			if r.DropOffLimit > 0 && res.Dropped > 0 {
				if dropped[step], err = w.funnelDropped(ctx, conn, prev, cur, r.DropOffLimit, res.Dropped, prevAttempts); err != nil {
					return nil, err
				}
			}
		} else if res.Count > 0 {
			res.StepConversion = 1
		}
		if first := out.Steps; len(first) > 0 && first[0].Count > 0 {
			res.Conversion = float64(res.Count) / float64(first[0].Count)
		} else if step == 1 && res.Count > 0 {
			res.Conversion = 1
		}
		if r.Breakdown != "" {
			q, err := w.render("funnel_reached", map[string]string{"Cur": cur})
			if err != nil {
				return nil, err
			}
			if _, err := conn.ExecContext(ctx, q, sql.Named("step", step)); err != nil {
				return nil, err
			}
		}
		out.Steps = append(out.Steps, res)
	}
	if err := w.funnelProfiles(ctx, conn, r.Workspace, out, dropped); err != nil {
		return nil, err
	}
	if r.Breakdown != "" {
		if out.Breakdown, err = w.funnelBreakdown(ctx, conn, len(r.Steps)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// funnelDropped names up to limit of the customers who reached the step
// before (in prev, from prevAttempts attempts) and not this one (in cur),
// the first by number. It looks at the first attempts of prev in number
// order, as many as should hold limit of the dropped customers if they are
// spread evenly, and looks further when they are not.
func (w *Warehouse) funnelDropped(ctx context.Context, conn *sql.Conn, prev, cur string, limit int, dropped, prevAttempts int64) ([]int32, error) {
	q, err := w.render("funnel_dropped", map[string]string{"Prev": prev, "Cur": cur})
	if err != nil {
		return nil, err
	}
	scan := min(prevAttempts, 2*int64(limit)*prevAttempts/dropped+int64(limit))
	for {
		rows, err := conn.QueryContext(ctx, q, sql.Named("scan", scan), sql.Named("limit", limit))
		if err != nil {
			return nil, err
		}
		var pnums []int32
		for rows.Next() {
			var pnum int32
			if err := rows.Scan(&pnum); err != nil {
				rows.Close()
				return nil, err
			}
			pnums = append(pnums, pnum)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(pnums) >= limit || int64(len(pnums)) >= dropped || scan >= prevAttempts {
			return pnums, nil
		}
		scan = min(prevAttempts, scan*4)
	}
}

// funnelProfiles names the dropped customers of every step by profile id.
func (w *Warehouse) funnelProfiles(ctx context.Context, conn *sql.Conn, workspace string, out *touchpoint.FunnelResponse, byStep map[int][]int32) error {
	var all []string
	for _, pnums := range byStep {
		for _, p := range pnums {
			all = append(all, strconv.Itoa(int(p)))
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
