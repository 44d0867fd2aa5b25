package touchpoint_test

import (
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

func scores(xs ...float64) []touchpoint.ScoreCount {
	m := map[float64]int64{}
	for _, x := range xs {
		m[x]++
	}
	var out []touchpoint.ScoreCount
	for s, n := range m {
		out = append(out, touchpoint.ScoreCount{Score: s, Count: n})
	}
	return out
}

func val(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// The expected figures below were worked out by hand (see the formulas in
// metric.go); z = 1.959964.
func TestComputeNPS(t *testing.T) {
	for _, tt := range []struct {
		name                  string
		scores                []float64
		nps, moe              any
		promoters, passives   int64
		detractors, responses int64
	}{
		{"Empty", nil, nil, nil, 0, 0, 0, 0},
		{"SingleResponse", []float64{7}, 0.0, nil, 0, 1, 0, 1},
		{"SinglePromoter", []float64{10}, 100.0, nil, 1, 0, 0, 1},
		// 4 promoters, 2 passives, 4 detractors: NPS 0, variance .8, MoE 100·1.96·√(.8/10) = 55.44.
		{"Balanced", []float64{10, 9, 9, 8, 7, 6, 3, 0, 10, 5}, 0.0, 55.44, 4, 2, 4, 10},
		// 5/3/2: NPS 30, variance .5+.2−.09 = .61, MoE 100·1.96·√.061 = 48.41.
		{"Mixed", []float64{10, 10, 9, 9, 9, 8, 7, 7, 2, 6}, 30.0, 48.41, 5, 3, 2, 10},
		// Everyone a promoter: no spread, margin 0.
		{"AllPromoters", []float64{10, 10, 10, 9}, 100.0, 0.0, 4, 0, 0, 4},
		// One promoter, one detractor: variance 1, MoE 100·1.96·√(1/2) = 138.59.
		{"Split", []float64{9, 3}, 0.0, 138.59, 1, 0, 1, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := touchpoint.ComputeNPS(scores(tt.scores...))
			if val(r.NPS) != tt.nps || val(r.MarginOfError) != tt.moe || r.Promoters != tt.promoters || r.Passives != tt.passives ||
				r.Detractors != tt.detractors || r.Responses != tt.responses {
				t.Fatalf("got nps=%v moe=%v %d/%d/%d of %d", val(r.NPS), val(r.MarginOfError), r.Promoters, r.Passives, r.Detractors, r.Responses)
			}
			if len(r.Distribution) != 11 || r.Distribution[0].Score != 0 || r.Distribution[10].Score != 10 {
				t.Fatalf("distribution %v", r.Distribution)
			}
		})
	}
	t.Run("Percentages", func(t *testing.T) {
		r := touchpoint.ComputeNPS(scores(10, 10, 9, 9, 9, 8, 7, 7, 2, 6))
		if *r.PromotersPct != 50 || *r.PassivesPct != 30 || *r.DetractorsPct != 20 {
			t.Fatalf("%v %v %v", *r.PromotersPct, *r.PassivesPct, *r.DetractorsPct)
		}
	})
}

func TestComputeCSAT(t *testing.T) {
	r := touchpoint.ComputeCSAT(nil)
	if r.CSAT != nil || r.Mean != nil || r.MarginOfError != nil || r.Responses != 0 || len(r.Distribution) != 5 {
		t.Fatalf("empty: %+v", r)
	}
	r = touchpoint.ComputeCSAT(scores(4))
	if val(r.CSAT) != 100.0 || val(r.Mean) != 4.0 || r.MarginOfError != nil {
		t.Fatalf("single: %+v", r)
	}
	// 3 of 6 satisfied: 50%; mean 20/6 = 3.33; MoE 100·1.96·√(.25/6) = 40.01.
	r = touchpoint.ComputeCSAT(scores(5, 4, 3, 2, 1, 5))
	if val(r.CSAT) != 50.0 || val(r.Mean) != 3.33 || val(r.MarginOfError) != 40.01 || r.Satisfied != 3 || r.Responses != 6 {
		t.Fatalf("mixed: csat=%v mean=%v moe=%v", val(r.CSAT), val(r.Mean), val(r.MarginOfError))
	}
}

func TestComputeCES(t *testing.T) {
	if r := touchpoint.ComputeCES(nil); r.CES != nil || r.MarginOfError != nil || r.Responses != 0 || len(r.Distribution) != 7 {
		t.Fatalf("empty: %+v", r)
	}
	if r := touchpoint.ComputeCES(scores(4)); val(r.CES) != 4.0 || r.MarginOfError != nil {
		t.Fatalf("single: %+v", r)
	}
	// Mean 6, sample sd 1, MoE 1.96/√3 = 1.13.
	if r := touchpoint.ComputeCES(scores(7, 6, 5)); val(r.CES) != 6.0 || val(r.MarginOfError) != 1.13 {
		t.Fatalf("mixed: ces=%v moe=%v", val(r.CES), val(r.MarginOfError))
	}
}

func TestComputeResponseRate(t *testing.T) {
	if r := touchpoint.ComputeResponseRate(0, 0, 0); r.ResponseRate != nil || r.CompletionRate != nil {
		t.Fatalf("nothing sent: %+v", r)
	}
	if r := touchpoint.ComputeResponseRate(8, 3, 2); val(r.ResponseRate) != 37.5 || val(r.CompletionRate) != 25.0 {
		t.Fatalf("%+v", r)
	}
}

func TestMetricQueryValidate(t *testing.T) {
	for _, tt := range []struct {
		q     touchpoint.MetricQuery
		field string
	}{
		{touchpoint.MetricQuery{By: "channel"}, ""},
		{touchpoint.MetricQuery{By: "trait.plan", Interval: "week"}, ""},
		{touchpoint.MetricQuery{By: "colour"}, "by"},
		{touchpoint.MetricQuery{By: "trait."}, "by"},
		{touchpoint.MetricQuery{Interval: "fortnight"}, "interval"},
		{touchpoint.MetricQuery{ExcludeFlags: []string{"speeder", "bot"}}, "exclude_flags"},
	} {
		err := tt.q.Validate()
		if touchpoint.ErrorField(err) != tt.field || (tt.field == "") != (err == nil) {
			t.Errorf("%+v: got %v, want field %q", tt.q, err, tt.field)
		}
	}
}
