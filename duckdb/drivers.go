package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/predict"
)

// Key-driver limits: a factor must be present in at least this share of
// the answers (and this many), and a trait is a factor only when it takes
// few values.
const (
	minDriverShare   = 0.01
	minDriverCount   = 5
	maxDriverFactors = 80
	maxTraitValues   = 8
)

// Drivers explains a CX score (nps, csat, ces), the sentiment of feedback,
// or churn.
//
// For scores, each answer is a sample (a response answered in steps
// once); for sentiment, each feedback item with text. A sample's factors
// are the touchpoints the customer went through and the channels they used
// in the lookback before it, the touchpoint right before it, the topics of
// their feedback in the lookback (the sample's own comment included), for
// sentiment the kind of feedback (survey, ticket, review), and their
// traits that take few values. A ridge regression of the outcome on these
// factors gives each one an effect in score (or sentiment) points, the
// others held fixed, with a 95% interval. For churn, the drivers are the
// churn model's coefficients.
func (w *Warehouse) Drivers(ctx context.Context, r touchpoint.DriversRequest) (*touchpoint.DriversResponse, error) {
	return analyze(ctx, w, "drivers", r.Validate, func(conn *sql.Conn) (*touchpoint.DriversResponse, error) {
		if r.Outcome != touchpoint.OutcomeChurn {
			return w.scoreDrivers(ctx, conn, r)
		}
		now, err := w.analyticsNow(ctx, conn, r.Workspace, r.To)
		if err != nil {
			return nil, err
		}
		m, err := w.trainChurn(ctx, conn, r.Scope, now, r.HorizonDays)
		if err != nil {
			return nil, err
		}
		return &touchpoint.DriversResponse{Outcome: r.Outcome, Samples: m.trained + m.heldOut, Mean: m.rate, Fit: m.auc, Drivers: m.drivers()}, nil
	})
}

func (w *Warehouse) scoreDrivers(ctx context.Context, conn *sql.Conn, r touchpoint.DriversRequest) (*touchpoint.DriversResponse, error) {
	_, names, err := activities(ctx, conn)
	if err != nil {
		return nil, err
	}
	from, to := micros(r.From, minMicros), micros(r.To, maxMicros)
	p := &params{}
	s := r.Scope
	s.Channels = nil
	scope, err := scopeSQL(s, p)
	if err != nil {
		return nil, err
	}
	q, err := w.render("drivers_samples", map[string]any{"Scope": scope, "Sentiment": r.Outcome == touchpoint.OutcomeSentiment})
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, q, append(p.args, sql.Named("from", from), sql.Named("to", to), sql.Named("type", r.Outcome))...); err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, w.query("drivers_sample_rows"))
	if err != nil {
		return nil, err
	}
	type answer struct {
		pnum    int32
		score   float64
		factors map[string]bool
	}
	byKey := map[string]*answer{}
	var order []string
	pnums := map[int32]bool{}
	for rows.Next() {
		var key string
		var a answer
		var touch sql.NullInt32
		var kind sql.NullString
		if err := rows.Scan(&key, &a.pnum, &a.score, &touch, &kind); err != nil {
			rows.Close()
			return nil, err
		}
		a.factors = map[string]bool{}
		if touch.Valid {
			a.factors["right after:"+names[touch.Int32]] = true
		}
		if kind.Valid {
			a.factors["kind:"+kind.String] = true
		}
		byKey[key] = &a
		order = append(order, key)
		pnums[a.pnum] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A fixed order of samples makes the regression's sums, and so its
	// answer, the same every time.
	sort.Strings(order)
	out := &touchpoint.DriversResponse{Outcome: r.Outcome, Drivers: []touchpoint.Driver{}}
	if len(order) < minDriverCount*2 {
		what := r.Outcome + " answers"
		if r.Outcome == touchpoint.OutcomeSentiment {
			what = "feedback items with text"
		}
		return nil, touchpoint.Errorf(touchpoint.EINVALID, "not enough %s to find drivers: %d in scope (need at least %d)", what, len(order), minDriverCount*2)
	}

	// Touchpoints and channels in the lookback.
	lookback := sql.Named("lookback", int64(r.LookbackDays)*86400e6)
	trows, err := conn.QueryContext(ctx, w.query("drivers_touches"), lookback)
	if err != nil {
		return nil, err
	}
	for trows.Next() {
		var key string
		var act int32
		var channel sql.NullString
		if err := trows.Scan(&key, &act, &channel); err != nil {
			trows.Close()
			return nil, err
		}
		a := byKey[key]
		if a == nil || names[act] == "Survey Responded" {
			continue
		}
		a.factors["touchpoint:"+names[act]] = true
		if channel.Valid {
			a.factors["channel:"+channel.String] = true
		}
	}
	trows.Close()
	if err := trows.Err(); err != nil {
		return nil, err
	}

	// Topics of the customer's feedback in the lookback.
	tprows, err := conn.QueryContext(ctx, w.query("drivers_topics"), lookback)
	if err != nil {
		return nil, err
	}
	for tprows.Next() {
		var key, topic string
		if err := tprows.Scan(&key, &topic); err != nil {
			tprows.Close()
			return nil, err
		}
		if a := byKey[key]; a != nil {
			a.factors["topic:"+topic] = true
		}
	}
	tprows.Close()
	if err := tprows.Err(); err != nil {
		return nil, err
	}

	// Traits that take few values.
	var list []int32
	for p := range pnums {
		list = append(list, p)
	}
	traitsOf := map[int32]map[string]string{}
	trrows, err := conn.QueryContext(ctx, w.query("drivers_traits"), sql.Named("workspace", r.Workspace), sql.Named("pnums", list))
	if err != nil {
		return nil, err
	}
	values := map[string]map[string]bool{}
	for trrows.Next() {
		var pnum int32
		var raw string
		if err := trrows.Scan(&pnum, &raw); err != nil {
			trrows.Close()
			return nil, err
		}
		var traits map[string]any
		if json.Unmarshal([]byte(raw), &traits) != nil {
			continue
		}
		flat := map[string]string{}
		for k, v := range traits {
			switch x := v.(type) {
			case string, bool:
				flat[k] = fmt.Sprint(x)
				if values[k] == nil {
					values[k] = map[string]bool{}
				}
				values[k][flat[k]] = true
			}
		}
		traitsOf[pnum] = flat
	}
	trrows.Close()
	if err := trrows.Err(); err != nil {
		return nil, err
	}
	for _, key := range order {
		a := byKey[key]
		for k, v := range traitsOf[a.pnum] {
			if n := len(values[k]); n >= 2 && n <= maxTraitValues {
				a.factors["trait:"+k+"="+v] = true
			}
		}
	}

	// Keep factors present often enough, but not everywhere.
	freq := map[string]int{}
	for _, key := range order {
		for f := range byKey[key].factors {
			freq[f]++
		}
	}
	var factors []string
	for f, n := range freq {
		if n >= minDriverCount && float64(n) >= minDriverShare*float64(len(order)) && n < len(order) {
			factors = append(factors, f)
		}
	}
	sort.Slice(factors, func(i, j int) bool {
		if freq[factors[i]] != freq[factors[j]] {
			return freq[factors[i]] > freq[factors[j]]
		}
		return factors[i] < factors[j]
	})
	if len(factors) > maxDriverFactors {
		factors = factors[:maxDriverFactors]
	}
	x := make([][]float64, len(order))
	y := make([]float64, len(order))
	for i, key := range order {
		a := byKey[key]
		x[i] = make([]float64, len(factors))
		for j, f := range factors {
			x[i][j] = b2f(a.factors[f])
		}
		y[i] = a.score
		out.Mean += a.score
	}
	out.Samples = len(order)
	out.Mean /= float64(len(order))
	if len(factors) == 0 {
		return out, nil
	}
	m, err := predict.Ridge(x, y, 1)
	if err != nil {
		return nil, fmt.Errorf("fit drivers: %w", err)
	}
	out.Fit = m.R2
	for j, f := range factors {
		c := m.Coef[j]
		out.Drivers = append(out.Drivers, touchpoint.Driver{Factor: f, Effect: c.Estimate, Low: c.Low, High: c.High,
			Significant: c.Significant(), Prevalence: float64(freq[f]) / float64(len(order))})
	}
	sortDrivers(out.Drivers)
	return out, nil
}
