package bench_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/touchpoint-cx/touchpoint/bench"
)

func BenchmarkIdentityResolve(b *testing.B) {
	p, _ := strconv.Atoi(os.Getenv("P"))
	e, _ := strconv.Atoi(os.Getenv("E"))
	for b.Loop() {
		res, err := bench.Identity(context.Background(), bench.IdentityConfig{Dir: b.TempDir(), Profiles: p, Events: e, BatchSize: 10000, Reads: 1000})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.EventsPerS, "events/s")
		b.ReportMetric(res.LoadPerS, "load/s")
	}
}
