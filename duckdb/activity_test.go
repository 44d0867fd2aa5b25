package duckdb_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

func TestActivities(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	load(t, w, journeyFixture, 1)
	mapIdentity(t, w, [3]string{"anonymous_id", "dev-b", "prf_bob"}, [3]string{"user_id", "bob", "prf_bob"})

	t.Run("OK", func(t *testing.T) {
		got, err := w.Activities(ctx, touchpoint.ActivityFilter{Scope: ws()})
		if err != nil {
			t.Fatal(err)
		}
		// A: 9 events by 8 customers (fay twice; bob's device is bob);
		// B: 9 by 8 (cat twice); C: ana, cat, dan, eve, fay; D: ana, fay.
		want := []touchpoint.ActivityStat{{Activity: "A", Count: 9, Profiles: 8}, {Activity: "B", Count: 9, Profiles: 8}, {Activity: "C", Count: 5, Profiles: 5}, {Activity: "D", Count: 2, Profiles: 2}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("activities %+v, want %+v", got, want)
		}
	})
	t.Run("Scope", func(t *testing.T) {
		from, to := t0.Add(9*24*time.Hour), t0.Add(11*24*time.Hour)
		got, err := w.Activities(ctx, touchpoint.ActivityFilter{Scope: touchpoint.Scope{Workspace: "default", From: &from, To: &to, Channels: []string{"web"}}, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		// Only fay is active then: A, B, C, D once each; the first two by name.
		want := []touchpoint.ActivityStat{{Activity: "A", Count: 1, Profiles: 1}, {Activity: "B", Count: 1, Profiles: 1}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("activities %+v, want %+v", got, want)
		}
	})
	t.Run("Range", func(t *testing.T) {
		// fay did A before the range too: she is counted once, in range.
		from, to := t0.Add(9*24*time.Hour), t0.Add(11*24*time.Hour)
		got, err := w.Activities(ctx, touchpoint.ActivityFilter{Scope: touchpoint.Scope{Workspace: "default", From: &from, To: &to}})
		if err != nil {
			t.Fatal(err)
		}
		want := []touchpoint.ActivityStat{{Activity: "A", Count: 1, Profiles: 1}, {Activity: "B", Count: 1, Profiles: 1},
			{Activity: "C", Count: 1, Profiles: 1}, {Activity: "D", Count: 1, Profiles: 1}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("activities %+v, want %+v", got, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := w.Activities(ctx, touchpoint.ActivityFilter{Scope: ws(), Limit: touchpoint.MaxActivities + 1})
		if touchpoint.ErrorField(err) != "limit" {
			t.Fatalf("limit too large: %v", err)
		}
	})
}

func TestActivityProperties(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	load(t, w, []fx{
		{user: "u1", event: "Order Completed", props: `{"revenue":40,"coupon":"AUTUMN"}`},
		{user: "u2", event: "Order Completed", at: time.Minute, props: `{"revenue":15}`},
		{user: "u3", event: "Order Completed", at: 2 * time.Minute, props: `{"revenue":15,"note":{"gift":true}}`},
		{user: "u3", event: "Cart Viewed", at: 3 * time.Minute, props: `{"items":2}`},
	}, 1)
	got, err := w.ActivityProperties(ctx, touchpoint.PropertyQuery{Workspace: "default", Activity: "Order Completed"})
	if err != nil {
		t.Fatal(err)
	}
	want := []touchpoint.PropertyStat{
		{Key: "properties.revenue", Count: 3, Values: []string{"15", "40"}},
		{Key: "properties.coupon", Count: 1, Values: []string{"AUTUMN"}},
		{Key: "properties.note", Count: 1, Values: []string{`{"gift":true}`}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("properties %+v, want %+v", got, want)
	}
	if _, err := w.ActivityProperties(ctx, touchpoint.PropertyQuery{Workspace: "default"}); touchpoint.ErrorField(err) != "activity" {
		t.Fatalf("no activity: %v", err)
	}
}

func TestScoreDistribution(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	if _, err := w.ScoreDistribution(ctx, "default"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		t.Fatalf("before any refresh: %v, want ENOTFOUND", err)
	}
	at := time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)
	// Risks 0.05, 0.15, 0.95 and one without; values 10, 20 … 100.
	for i, risk := range []any{0.05, 0.15, 0.95, nil, nil, nil, nil, nil, nil, nil} {
		_, err := w.DB().Exec(`INSERT INTO profile_scores VALUES ('default', ?, ?, 1, ?, NULL, NULL, ?, ?)`,
			"prf_"+string(rune('a'+i)), risk, float64(i+1)*10, float64(i+1)*10, at)
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.DB().Exec(`INSERT INTO score_models VALUES ('default', 'churn', ?, 10, 0.75, '{}')`, at); err != nil {
		t.Fatal(err)
	}
	d, err := w.ScoreDistribution(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	if d.Profiles != 10 || !d.ComputedAt.Equal(at) || d.ChurnAUC == nil || *d.ChurnAUC != 0.75 {
		t.Fatalf("summary %+v", d)
	}
	var risk []int64
	for _, b := range d.ChurnRisk {
		risk = append(risk, b.Profiles)
	}
	if !reflect.DeepEqual(risk, []int64{1, 1, 0, 0, 0, 0, 0, 0, 0, 1}) || *d.ChurnRisk[9].High != 1 {
		t.Errorf("churn risk bins %v", risk)
	}
	// The 99th percentile is 99.1: bins of 20, the last from 180 up.
	var total int64
	for _, b := range d.PredictedCLV {
		total += b.Profiles
	}
	last := d.PredictedCLV[len(d.PredictedCLV)-1]
	if d.PredictedCLV[1].Low != 20 || d.PredictedCLV[0].Profiles != 1 || d.PredictedCLV[4].Profiles != 2 || total != 10 || last.High != nil {
		t.Errorf("value bins %+v", d.PredictedCLV)
	}
	if m := *d.MeanChurnRisk; m < 0.383 || m > 0.384 {
		t.Errorf("mean risk %v", m)
	}
}
