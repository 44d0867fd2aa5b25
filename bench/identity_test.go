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

// TestIdentity runs the identity benchmark on a small store: every phase
// must finish with the profiles it created readable, and the event sent
// after the restart must be counted once on its profile (the bench fails
// otherwise).
func TestIdentity(t *testing.T) {
	res, err := bench.Identity(context.Background(), bench.IdentityConfig{Dir: t.TempDir(), Profiles: 2000, Events: 5000, BatchSize: 500, Reads: 100})
	if err != nil {
		t.Fatal(err)
	}
	// 10% of the events in each of the two mixes are new visitors.
	if res.Profiles < 2000+2*400 || res.FirstBatch <= 0 || res.SeenKeys != 2000+2*5000 {
		t.Fatalf("result %+v", res)
	}
}
