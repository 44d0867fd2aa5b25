package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
)

// BenchmarkCXMetrics measures CX metric queries over a million feedback
// items in the analytics store (200,000 customers with traits, ten
// surveys, five channels, four languages, a year of answers), the way the
// metric routes ask them:
//
//	go test -run XXX -bench CXMetrics -benchtime 20x ./bench/
func BenchmarkCXMetrics(b *testing.B) {
	ctx := context.Background()
	w, err := duckdb.Open(ctx, filepath.Join(b.TempDir(), "analytics.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	const items, customers = 1_000_000, 200_000
	start := time.Now()
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	channels := []string{"email", "web", "app", "survey", "support"}
	langs := []string{"en", "vi", "th", "fa"}
	batch := make([]*touchpoint.Feedback, 0, 50_000)
	for i := 0; i < items; i++ {
		score := float64(r.IntN(11))
		max := 10.0
		typ := "nps"
		if i%3 == 1 {
			typ, score, max = "csat", float64(1+r.IntN(5)), 5
		}
		batch = append(batch, &touchpoint.Feedback{ID: fmt.Sprintf("fb_%d", i), Workspace: "default", EventID: fmt.Sprintf("e%d", i),
			Source: "survey", Kind: "survey", Channel: channels[r.IntN(len(channels))], SurveyID: fmt.Sprintf("srv_%d", r.IntN(10)), SurveyType: typ,
			Score: &score, MaxScore: &max, Complete: r.IntN(10) > 0, Language: langs[r.IntN(len(langs))], Touchpoint: fmt.Sprintf("touchpoint %d", r.IntN(20)),
			UserID: fmt.Sprintf("u%d", r.IntN(customers)), CreatedAt: t0.Add(time.Duration(r.IntN(365*24)) * time.Hour)})
		if len(batch) == cap(batch) {
			if err := w.ApplyFeedback(ctx, batch, uint64(i)); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if _, err := w.DB().ExecContext(ctx, `INSERT INTO identity_map SELECT 'default', 'user_id', 'u' || i, 'prf_' || i, 'prf_' || i FROM range(?) t(i)`, customers); err != nil {
		b.Fatal(err)
	}
	if _, err := w.DB().ExecContext(ctx, `INSERT INTO profile_traits SELECT 'default', 'prf_' || i, json_object('plan', CASE WHEN i % 3 = 0 THEN 'pro' ELSE 'free' END), now() FROM range(?) t(i)`, customers); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d items in %s", items, time.Since(start).Round(time.Millisecond))
	from := t0.Add(90 * 24 * time.Hour)
	for _, bc := range []struct {
		name string
		q    touchpoint.MetricQuery
	}{
		{"NPS", touchpoint.MetricQuery{}},
		{"NPSLast9Months", touchpoint.MetricQuery{From: &from}},
		{"NPSByChannel", touchpoint.MetricQuery{By: "channel"}},
		{"NPSWeekly", touchpoint.MetricQuery{Interval: "week"}},
		{"NPSByTrait", touchpoint.MetricQuery{By: "trait.plan"}},
		{"NPSOfSegment", touchpoint.MetricQuery{ProfileIDs: segment(20_000)}},
		{"NPSExcludingFlagged", touchpoint.MetricQuery{ExcludeFlags: touchpoint.QualityFlags(), CompleteOnly: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			q := bc.q
			q.Workspace, q.SurveyType = "default", "nps"
			for b.Loop() {
				groups, err := w.ScoreCounts(ctx, q)
				if err != nil || len(groups) == 0 {
					b.Fatalf("%v %v", groups, err)
				}
			}
		})
	}
}

func segment(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("prf_%d", i*7)
	}
	return ids
}
