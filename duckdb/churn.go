package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/predict"
)

// churnActivities is how many of the most common activities the churn
// model counts per customer.
const churnActivities = 15

// minChurnSamples is the fewest customers, and of each outcome, the churn
// model trains on.
const minChurnSamples = 30

// churnTopics is how many feedback topics the churn model takes as
// features at most: those the most customers mentioned before the cutoff,
// each by at least minDriverCount of them.
const churnTopics = 10

// churnSet is one row per customer, features first.
type churnSet struct {
	pnums []int32
	x     [][]float64
	y     []float64
}

// churnModel is a trained churn model with what it needs to score.
type churnModel struct {
	names    []string
	acts     []int32
	topics   []string
	mean, sd []float64
	model    *predict.LogisticModel
	trained  int
	heldOut  int
	auc      float64
	rate     float64
	cutoff   time.Time
}

// churnFeatures reads the features of every customer active in the three
// horizons before cutoff, and whether they were active in the horizon
// after it. The topic features are those of topics; nil picks them from
// the customers' feedback before the cutoff. It returns the set, the
// names of the features other than activities and topics, and the topics.
func (w *Warehouse) churnFeatures(ctx context.Context, conn *sql.Conn, scope touchpoint.Scope, acts []int32, topics []string, cutoff, horizon int64) (*churnSet, []string, []string, error) {
	p := &params{}
	s := scope
	s.From, s.To = nil, nil
	sc, err := scopeSQL(s, p)
	if err != nil {
		return nil, nil, nil, err
	}
	q, err := w.render("churn_features", map[string]any{"Scope": sc, "Acts": acts})
	if err != nil {
		return nil, nil, nil, err
	}
	args := append(p.args, sql.Named("cutoff", cutoff), sql.Named("since", cutoff-3*horizon), sql.Named("until", cutoff+horizon))
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	names := []string{"days since last activity", "days since first activity", "activities in the last three horizons", "channels used"}
	set := &churnSet{}
	for rows.Next() {
		var pnum int32
		var seen, churned bool
		var recency, tenure float64
		var recent, channels int64
		counts := make([]int64, len(acts))
		dst := []any{&pnum, &seen, &recency, &tenure, &recent, &channels, &churned}
		for i := range counts {
			dst = append(dst, &counts[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, nil, nil, err
		}
		x := []float64{recency, tenure, math.Log1p(float64(recent)), float64(channels)}
		for _, c := range counts {
			x = append(x, math.Log1p(float64(c)))
		}
		set.pnums = append(set.pnums, pnum)
		set.x = append(set.x, x)
		set.y = append(set.y, b2f(churned))
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, err
	}
	// Survey answers: how many, and how good (the average where missing,
	// with a flag, so a customer who never answered is not read as unhappy).
	scores := map[int32][2]float64{}
	srows, err := conn.QueryContext(ctx, w.query("churn_scores"), sql.Named("workspace", scope.Workspace), sql.Named("cutoff", cutoff))
	if err != nil {
		return nil, nil, nil, err
	}
	defer srows.Close()
	var sum, n float64
	for srows.Next() {
		var pnum int32
		var count int64
		var avg sql.NullFloat64
		if err := srows.Scan(&pnum, &count, &avg); err != nil {
			return nil, nil, nil, err
		}
		if avg.Valid {
			scores[pnum] = [2]float64{float64(count), avg.Float64}
			sum, n = sum+avg.Float64, n+1
		}
	}
	if err := srows.Err(); err != nil {
		return nil, nil, nil, err
	}
	mean := 50.0
	if n > 0 {
		mean = sum / n
	}
	for i, pnum := range set.pnums {
		s, ok := scores[pnum]
		if !ok {
			s = [2]float64{0, mean}
		}
		set.x[i] = append(set.x[i], math.Log1p(s[0]), s[1], b2f(!ok))
	}
	names = append(names, "survey answers", "survey score (0–100)", "never answered a survey")

	// Feedback with text: its mean sentiment (the average where missing,
	// with a flag, as for survey scores) and the topics it mentioned.
	type said struct {
		sentiment float64
		topics    map[string]bool
	}
	fb := map[int32]said{}
	frows, err := conn.QueryContext(ctx, w.query("churn_feedback"), sql.Named("workspace", scope.Workspace), sql.Named("cutoff", cutoff))
	if err != nil {
		return nil, nil, nil, err
	}
	defer frows.Close()
	sum, n = 0, 0
	for frows.Next() {
		var pnum int32
		var avg float64
		var list []any
		if err := frows.Scan(&pnum, &avg, &list); err != nil {
			return nil, nil, nil, err
		}
		s := said{sentiment: avg, topics: map[string]bool{}}
		for _, t := range list {
			if t, ok := t.(string); ok {
				s.topics[t] = true
			}
		}
		fb[pnum] = s
		sum, n = sum+avg, n+1
	}
	if err := frows.Err(); err != nil {
		return nil, nil, nil, err
	}
	if topics == nil {
		topics = commonTopics(set.pnums, func(p int32) map[string]bool { return fb[p].topics })
	}
	mean = 0
	if n > 0 {
		mean = sum / n
	}
	for i, pnum := range set.pnums {
		s, ok := fb[pnum]
		if !ok {
			s.sentiment = mean
		}
		set.x[i] = append(set.x[i], s.sentiment, b2f(!ok))
		for _, t := range topics {
			set.x[i] = append(set.x[i], b2f(s.topics[t]))
		}
	}
	names = append(names, "feedback sentiment (-1 to 1)", "never gave feedback with text")
	return set, names, topics, nil
}

// commonTopics picks the topics the most customers mentioned, each by at
// least minDriverCount of them, at most churnTopics. The answer is never
// nil, so a model without topic features keeps none when it scores.
func commonTopics(pnums []int32, topicsOf func(int32) map[string]bool) []string {
	freq := map[string]int{}
	for _, p := range pnums {
		for t := range topicsOf(p) {
			freq[t]++
		}
	}
	out := []string{}
	for t, n := range freq {
		if n >= minDriverCount {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if freq[out[i]] != freq[out[j]] {
			return freq[out[i]] > freq[out[j]]
		}
		return out[i] < out[j]
	})
	if len(out) > churnTopics {
		out = out[:churnTopics]
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// trainChurn trains the churn model at now - horizon, where the outcome is
// known, on four fifths of the customers and measures its AUC on the rest.
func (w *Warehouse) trainChurn(ctx context.Context, conn *sql.Conn, scope touchpoint.Scope, now time.Time, horizonDays int) (*churnModel, error) {
	horizon := int64(horizonDays) * 86400e6
	cutoff := now.UnixMicro() - horizon
	rows, err := conn.QueryContext(ctx, w.query("churn_top_activities"), sql.Named("workspace", scope.Workspace), sql.Named("cutoff", cutoff), sql.Named("limit", churnActivities))
	if err != nil {
		return nil, err
	}
	var acts []int32
	for rows.Next() {
		var a int32
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return nil, err
		}
		acts = append(acts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	_, names, err := activities(ctx, conn)
	if err != nil {
		return nil, err
	}
	set, featureNames, topics, err := w.churnFeatures(ctx, conn, scope, acts, nil, cutoff, horizon)
	if err != nil {
		return nil, err
	}
	// Feature names in row order: the four basics, one per activity, the
	// survey and feedback ones, then one per topic.
	ordered := append([]string{}, featureNames[:4]...)
	for _, a := range acts {
		ordered = append(ordered, "times did "+names[a])
	}
	ordered = append(ordered, featureNames[4:]...)
	for _, t := range topics {
		ordered = append(ordered, "topic:"+t)
	}

	var trainX, testX [][]float64
	var trainY, testY []float64
	var churned float64
	for i, pnum := range set.pnums {
		churned += set.y[i]
		if pnum%5 == 0 {
			testX, testY = append(testX, set.x[i]), append(testY, set.y[i])
		} else {
			trainX, trainY = append(trainX, set.x[i]), append(trainY, set.y[i])
		}
	}
	pos := 0.0
	for _, y := range trainY {
		pos += y
	}
	if len(trainX) < minChurnSamples || pos < minChurnSamples/3 || float64(len(trainY))-pos < minChurnSamples/3 || len(testX) == 0 {
		return nil, touchpoint.Errorf(touchpoint.EINVALID, "not enough history to train a churn model: %d customers active before %s, %.0f of them churned (need at least %d, with both outcomes)",
			len(trainX), time.UnixMicro(cutoff).UTC().Format(time.DateOnly), pos, minChurnSamples)
	}
	m := &churnModel{names: ordered, acts: acts, topics: topics, trained: len(trainX), heldOut: len(testX), cutoff: time.UnixMicro(cutoff).UTC(),
		rate: churned / float64(len(set.y))}
	m.mean, m.sd = predict.Standardize(trainX)
	if m.model, err = predict.Logistic(trainX, trainY, 1); err != nil {
		return nil, fmt.Errorf("train churn model: %w", err)
	}
	predict.ApplyStandardize(testX, m.mean, m.sd)
	scores := make([]float64, len(testX))
	for i, x := range testX {
		scores[i] = m.model.Predict(x)
	}
	m.auc = predict.AUC(scores, testY)
	return m, nil
}

// score predicts churn for the customers active in the three horizons
// before now.
func (m *churnModel) score(ctx context.Context, w *Warehouse, conn *sql.Conn, scope touchpoint.Scope, now time.Time, horizonDays int) (map[int32]float64, error) {
	horizon := int64(horizonDays) * 86400e6
	set, _, _, err := w.churnFeatures(ctx, conn, scope, m.acts, m.topics, now.UnixMicro(), horizon)
	if err != nil {
		return nil, err
	}
	predict.ApplyStandardize(set.x, m.mean, m.sd)
	out := make(map[int32]float64, len(set.pnums))
	for i, pnum := range set.pnums {
		out[pnum] = m.model.Predict(set.x[i])
	}
	return out, nil
}

func (m *churnModel) drivers() []touchpoint.Driver {
	var out []touchpoint.Driver
	for j, c := range m.model.Coef {
		out = append(out, touchpoint.Driver{Factor: m.names[j], Effect: c.Estimate, Low: c.Low, High: c.High,
			Significant: c.Significant(), Prevalence: m.mean[j]})
	}
	sortDrivers(out)
	return out
}

// sortDrivers puts significant drivers first, the largest effects first.
func sortDrivers(ds []touchpoint.Driver) {
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].Significant != ds[j].Significant {
			return ds[i].Significant
		}
		return math.Abs(ds[i].Effect) > math.Abs(ds[j].Effect)
	})
}

// analyticsNow returns the request's now, or just after the workspace's latest
// activity.
func (w *Warehouse) analyticsNow(ctx context.Context, conn *sql.Conn, workspace string, now *time.Time) (time.Time, error) {
	if now != nil {
		return now.UTC(), nil
	}
	var t int64
	if err := conn.QueryRowContext(ctx, w.query("analytics_latest"), sql.Named("workspace", workspace)).Scan(&t); err != nil {
		return time.Time{}, err
	}
	return time.UnixMicro(t + 1).UTC(), nil
}

// Churn trains the churn model and lists the customers most at risk.
func (w *Warehouse) Churn(ctx context.Context, r touchpoint.ChurnRequest) (*touchpoint.ChurnResponse, error) {
	return analyze(ctx, w, "churn", r.Validate, func(conn *sql.Conn) (*touchpoint.ChurnResponse, error) {
		return w.churn(ctx, conn, r)
	})
}

func (w *Warehouse) churn(ctx context.Context, conn *sql.Conn, r touchpoint.ChurnRequest) (*touchpoint.ChurnResponse, error) {
	now, err := w.analyticsNow(ctx, conn, r.Workspace, r.Now)
	if err != nil {
		return nil, err
	}
	m, err := w.trainChurn(ctx, conn, r.Scope, now, r.HorizonDays)
	if err != nil {
		return nil, err
	}
	risk, err := m.score(ctx, w, conn, r.Scope, now, r.HorizonDays)
	if err != nil {
		return nil, err
	}
	ids, err := w.profileIDs(ctx, conn, r.Workspace)
	if err != nil {
		return nil, err
	}
	out := &touchpoint.ChurnResponse{HorizonDays: r.HorizonDays, Cutoff: m.cutoff, Trained: m.trained, HeldOut: m.heldOut,
		AUC: m.auc, ChurnRate: m.rate, Drivers: m.drivers(), AtRisk: []touchpoint.ProfileScores{}}
	for pnum, p := range risk {
		v := p
		out.AtRisk = append(out.AtRisk, touchpoint.ProfileScores{ProfileID: ids[pnum], ChurnRisk: &v, ComputedAt: now})
	}
	sort.Slice(out.AtRisk, func(i, j int) bool {
		a, b := out.AtRisk[i], out.AtRisk[j]
		if *a.ChurnRisk != *b.ChurnRisk {
			return *a.ChurnRisk > *b.ChurnRisk
		}
		return a.ProfileID < b.ProfileID
	})
	if len(out.AtRisk) > r.Top {
		out.AtRisk = out.AtRisk[:r.Top]
	}
	return out, nil
}

func (w *Warehouse) profileIDs(ctx context.Context, conn *sql.Conn, workspace string) (map[int32]string, error) {
	rows, err := conn.QueryContext(ctx, w.query("profile_ids"), sql.Named("workspace", workspace))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int32]string{}
	for rows.Next() {
		var pnum int32
		var id string
		if err := rows.Scan(&pnum, &id); err != nil {
			return nil, err
		}
		out[pnum] = id
	}
	return out, rows.Err()
}
