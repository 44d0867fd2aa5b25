package bench_test

import (
	"context"
	"testing"

	"github.com/touchpoint-cx/touchpoint/bench"
)

// BenchmarkJourneys is a small run of the journey benchmark, so that go
// test -bench can profile it; `touchpoint bench journeys` runs the
// full-size one (a million customers) and the latency probe.
func BenchmarkJourneys(b *testing.B) {
	for b.Loop() {
		res, err := bench.Journeys(context.Background(), bench.JourneysConfig{Dir: b.TempDir(), Customers: 20000, BatchSize: 5000})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.EnrolPerS, "enrolments/s")
		b.ReportMetric(res.TimersPerS, "timers/s")
	}
}
