package bench_test

import (
	"context"
	"testing"

	"github.com/touchpoint-cx/touchpoint/bench"
)

// BenchmarkIdentity is a small run of the identity benchmark, so that
// go test -bench can profile it; `touchpoint bench identity` runs the
// full-size one.
func BenchmarkIdentity(b *testing.B) {
	for b.Loop() {
		res, err := bench.Identity(context.Background(), bench.IdentityConfig{Dir: b.TempDir(), Profiles: 20000, Events: 100000, BatchSize: 10000, Reads: 1000})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.EventsPerS, "events/s")
		b.ReportMetric(float64(res.ReadP99.Microseconds()), "read-p99-µs")
	}
}
