package duckdb

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/predict"
)

// clvCustomer is one buyer's history as the CLV models read it.
type clvCustomer struct {
	pnum    int32
	orders  int64
	revenue float64
	rfm     predict.Customer
}

// clvResult is the fitted models and every buyer's scores.
type clvResult struct {
	resp  *touchpoint.CLVResponse
	score map[int32]touchpoint.ProfileScores
}

// CLV describes lifetime value: what customers spent so far, and what
// BG/NBD and Gamma-Gamma expect them to spend over the horizon.
func (w *Warehouse) CLV(ctx context.Context, r touchpoint.CLVRequest) (*touchpoint.CLVResponse, error) {
	return analyze(ctx, w, "clv", r.Validate, func(conn *sql.Conn) (*touchpoint.CLVResponse, error) {
		now, err := w.analyticsNow(ctx, conn, r.Workspace, r.Now)
		if err != nil {
			return nil, err
		}
		res, err := w.clv(ctx, conn, r, now)
		if err != nil {
			return nil, err
		}
		return res.resp, nil
	})
}

func (w *Warehouse) clv(ctx context.Context, conn *sql.Conn, r touchpoint.CLVRequest, now time.Time) (*clvResult, error) {
	codes, _, err := activities(ctx, conn)
	if err != nil {
		return nil, err
	}
	out := &touchpoint.CLVResponse{HorizonDays: r.HorizonDays, Top: []touchpoint.ProfileScores{}}
	res := &clvResult{resp: out, score: map[int32]touchpoint.ProfileScores{}}
	p := &params{}
	s := r.Scope
	s.From, s.To = nil, nil
	scope, err := scopeSQL(s, p)
	if err != nil {
		return nil, err
	}
	nowUS := now.UnixMicro()
	q, err := w.render("clv_customers", map[string]string{"Scope": scope})
	if err != nil {
		return nil, err
	}
	var customers int64
	if err := conn.QueryRowContext(ctx, q, append(p.args, sql.Named("now", nowUS))...).Scan(&customers); err != nil {
		return nil, err
	}
	out.Customers = int(customers)
	act, ok := codes[r.OrderEvent]
	if !ok {
		return res, nil // no one ever ordered
	}
	if q, err = w.render("clv_orders", map[string]string{"Scope": scope}); err != nil {
		return nil, err
	}
	revenue := touchpoint.FieldRef{Kind: touchpoint.FieldJSON, Column: "properties", Path: []string{r.RevenueProperty}}.JSONPath()
	rows, err := conn.QueryContext(ctx, q, append(p.args, sql.Named("act", act), sql.Named("now", nowUS), sql.Named("revenue", revenue))...)
	if err != nil {
		return nil, err
	}
	// Purchases are counted by day, as BG/NBD reads them: x repeat days,
	// the last at tx days after the first, out of T days observed.
	today := float64(nowUS / 86400e6)
	var buyers []*clvCustomer
	var cur *clvCustomer
	var first float64
	var repeatRevenue float64
	flush := func() {
		if cur == nil {
			return
		}
		cur.rfm.T = today - first
		if cur.rfm.X > 0 {
			cur.rfm.MeanValue = repeatRevenue / cur.rfm.X
		}
		buyers = append(buyers, cur)
	}
	for rows.Next() {
		var pnum int32
		var day, orders int64
		var rev float64
		if err := rows.Scan(&pnum, &day, &orders, &rev); err != nil {
			rows.Close()
			return nil, err
		}
		if cur == nil || cur.pnum != pnum {
			flush()
			cur, first, repeatRevenue = &clvCustomer{pnum: pnum}, float64(day), 0
		} else {
			cur.rfm.X++
			cur.rfm.Tx = float64(day) - first
			repeatRevenue += rev
		}
		cur.orders += orders
		cur.revenue += rev
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	flush()
	out.Buyers = len(buyers)
	if len(buyers) == 0 {
		return res, nil
	}
	var orders int64
	var rfm []predict.Customer
	for _, b := range buyers {
		out.Revenue += b.revenue
		orders += b.orders
		rfm = append(rfm, b.rfm)
	}
	out.AvgRevenue = out.Revenue / float64(len(buyers))
	out.AvgOrders = float64(orders) / float64(len(buyers))

	ids, err := w.profileIDs(ctx, conn, r.Workspace)
	if err != nil {
		return nil, err
	}
	bg, err := predict.FitBGNBD(rfm)
	if err != nil {
		// Too few buyers for a model: descriptive value only.
		for _, b := range buyers {
			res.score[b.pnum] = touchpoint.ProfileScores{ProfileID: ids[b.pnum], Orders: b.orders, Revenue: b.revenue, ComputedAt: now}
		}
		return res, nil
	}
	out.Model = touchpoint.CLVModel{R: bg.R, Alpha: bg.Alpha, A: bg.A, B: bg.B}
	gg, gerr := predict.FitGammaGamma(rfm)
	if gerr == nil {
		out.Model.P, out.Model.Q, out.Model.Gamma, out.Model.Spend = gg.P, gg.Q, gg.Gamma, true
	}
	var total float64
	for _, b := range buyers {
		alive := bg.PAlive(b.rfm)
		expected := bg.ExpectedPurchases(b.rfm, float64(r.HorizonDays))
		value := b.revenue / float64(b.orders)
		if gerr == nil {
			value = gg.ExpectedValue(b.rfm)
		}
		clv := expected * value
		total += clv
		res.score[b.pnum] = touchpoint.ProfileScores{ProfileID: ids[b.pnum], Orders: b.orders, Revenue: b.revenue,
			PAlive: &alive, ExpectedOrders: &expected, PredictedCLV: &clv, ComputedAt: now}
	}
	out.PredictedAvg = total / float64(len(buyers))
	for _, s := range res.score {
		out.Top = append(out.Top, s)
	}
	sort.Slice(out.Top, func(i, j int) bool {
		a, b := out.Top[i], out.Top[j]
		if *a.PredictedCLV != *b.PredictedCLV {
			return *a.PredictedCLV > *b.PredictedCLV
		}
		return a.ProfileID < b.ProfileID
	})
	if len(out.Top) > r.Top {
		out.Top = out.Top[:r.Top]
	}
	return res, nil
}
