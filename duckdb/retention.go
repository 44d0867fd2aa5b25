package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/touchpoint-cx/touchpoint"
)

// Retention builds the cohort grid of r: customers join a cohort with
// their first start activity in range and return in period k when they do
// the return activity k calendar periods later.
func (w *Warehouse) Retention(ctx context.Context, r touchpoint.RetentionRequest) (*touchpoint.RetentionResponse, error) {
	return analyze(ctx, w, "retention", r.Validate, func(conn *sql.Conn) (*touchpoint.RetentionResponse, error) {
		return w.retention(ctx, conn, r)
	})
}

func (w *Warehouse) retention(ctx context.Context, conn *sql.Conn, r touchpoint.RetentionRequest) (*touchpoint.RetentionResponse, error) {
	out := &touchpoint.RetentionResponse{Period: r.Period, Periods: r.Periods, Cohorts: []touchpoint.RetentionCohort{}}
	codes, _, err := activities(ctx, conn)
	if err != nil {
		return nil, err
	}
	from, to := micros(r.From, minMicros), micros(r.To, maxMicros)
	now := to
	if r.To == nil {
		if err := conn.QueryRowContext(ctx, w.query("retention_now"), sql.Named("workspace", r.Workspace)).Scan(&now); err != nil {
			return nil, err
		}
	} else {
		now-- // the last instant in range
	}
	lookup := func(name string) (int32, bool) {
		c, ok := codes[name]
		if !ok {
			c = -1 // never seen: matches nothing
		}
		return c, name != ""
	}

	p := &params{}
	scope, err := scopeSQL(r.Scope, p)
	if err != nil {
		return nil, err
	}
	// Periods are numbered with integer arithmetic on microseconds, which
	// is much cheaper per event than truncating timestamps: days since the
	// epoch, weeks since the Monday before it, months since year 0.
	periodIndex := map[string]string{
		touchpoint.PeriodDay:   "(%[1]s // 86400000000)",
		touchpoint.PeriodWeek:  "((%[1]s // 86400000000 + 3) // 7)",
		touchpoint.PeriodMonth: "(year(make_timestamp(%[1]s)) * 12 + month(make_timestamp(%[1]s)) - 1)",
	}[r.Period]
	data := map[string]any{"Scope": scope, "Index": periodIndex, "Join": "", "Start": false}
	data["Cohort"] = map[string]string{
		touchpoint.PeriodDay:   "strftime(make_timestamp(" + fmt.Sprintf(periodIndex, "f.t0") + " * 86400000000), '%Y-%m-%d')",
		touchpoint.PeriodWeek:  "strftime(make_timestamp((" + fmt.Sprintf(periodIndex, "f.t0") + " * 7 - 3) * 86400000000), '%Y-%m-%d')",
		touchpoint.PeriodMonth: "strftime(make_date((" + fmt.Sprintf(periodIndex, "f.t0") + ") // 12, (" + fmt.Sprintf(periodIndex, "f.t0") + ") % 12 + 1, 1), '%Y-%m-%d')",
	}[r.Period]
	if r.CohortTrait != "" {
		path := touchpoint.FieldRef{Kind: touchpoint.FieldTrait, Path: []string{r.CohortTrait}}.JSONPath()
		data["Cohort"] = fmt.Sprintf("coalesce(json_extract_string(pt.traits, %s), '(none)')", p.add(path))
		data["Join"] = fmt.Sprintf(`LEFT JOIN journey_profiles jp ON jp.workspace = %[1]s AND jp.pnum = f.pnum
			LEFT JOIN profile_traits pt ON pt.workspace = %[1]s AND pt.profile_id = jp.profile_id`, p.add(r.Workspace))
	}
	args := append(p.args, sql.Named("from", from), sql.Named("to", to))
	if c, ok := lookup(r.StartEvent); ok {
		data["Start"] = true
		args = append(args, sql.Named("start", c))
	}
	q, err := w.render("retention_cohorts", data)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, q, args...); err != nil {
		return nil, err
	}

	// Sizes, and how far each cohort's customers have got by now.
	q, err = w.render("retention_sizes", data)
	if err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, q, sql.Named("now", now))
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	eligible := make([]int64, r.Periods+1)
	for rows.Next() {
		var c touchpoint.RetentionCohort
		var began int64
		var reached []any
		if err := rows.Scan(&c.Cohort, &c.Size, &began, &reached); err != nil {
			rows.Close()
			return nil, err
		}
		most := int64(-1)
		for _, v := range reached {
			k := v.(int64)
			most = max(most, k)
			for i := 0; i <= int(min(k, int64(r.Periods))); i++ {
				eligible[i]++
			}
		}
		cols := int(min(most, int64(r.Periods))) + 1
		c.Returned, c.Rates = make([]int64, cols), make([]float64, cols)
		index[c.Cohort] = len(out.Cohorts)
		out.Cohorts = append(out.Cohorts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	p = &params{}
	if data["Scope"], err = scopeSQL(r.Scope, p); err != nil {
		return nil, err
	}
	args = append(p.args, sql.Named("periods", r.Periods))
	data["Return"] = false
	if c, ok := lookup(r.ReturnEvent); ok {
		data["Return"] = true
		args = append(args, sql.Named("return", c))
	}
	if q, err = w.render("retention_returns", data); err != nil {
		return nil, err
	}
	if rows, err = conn.QueryContext(ctx, q, args...); err != nil {
		return nil, err
	}
	total := touchpoint.RetentionCohort{Cohort: "all", Returned: make([]int64, r.Periods+1), Rates: make([]float64, r.Periods+1)}
	for rows.Next() {
		var cohort string
		var k, n int64
		if err := rows.Scan(&cohort, &k, &n); err != nil {
			rows.Close()
			return nil, err
		}
		i, ok := index[cohort]
		if !ok || k < 0 || int(k) >= len(out.Cohorts[i].Returned) {
			continue // a period that has not fully begun for this cohort
		}
		out.Cohorts[i].Returned[k] += n
		total.Returned[k] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out.Cohorts {
		c := &out.Cohorts[i]
		total.Size += c.Size
		for k, n := range c.Returned {
			c.Rates[k] = float64(n) / float64(c.Size)
		}
	}
	for k := range total.Returned {
		if eligible[k] > 0 {
			total.Rates[k] = float64(total.Returned[k]) / float64(eligible[k])
		}
	}
	// Keep the total's columns to the periods someone has reached.
	for len(total.Returned) > 0 && eligible[len(total.Returned)-1] == 0 {
		total.Returned, total.Rates = total.Returned[:len(total.Returned)-1], total.Rates[:len(total.Rates)-1]
	}
	out.Total = total
	return out, nil
}
