package bench_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint/bench"
)

// TestAnalytics runs the analytics benchmark on a small data set: every
// query it times must answer, with customers at each step.
func TestAnalytics(t *testing.T) {
	res, err := bench.Analytics(context.Background(), bench.AnalyticsConfig{File: filepath.Join(t.TempDir(), "a.duckdb"), Events: 40000, Runs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 40000 || res.Profiles == 0 || len(res.Timings) != 6 {
		t.Fatalf("result %+v", res)
	}
	for _, tm := range res.Timings {
		if tm.Answer == "" || strings.Contains(tm.Answer, " 0 customers") {
			t.Errorf("%s answered %q", tm.Name, tm.Answer)
		}
	}
}
