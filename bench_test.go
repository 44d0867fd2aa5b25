package touchpoint_test

import (
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

const benchCall = `{"type":"track","messageId":"bench-1-1","userId":"user-42","event":"Product Viewed","timestamp":"2026-11-22T10:00:00.000Z","sentAt":"2026-11-22T10:00:00.100Z","properties":{"product_id":"sku-12","name":"Merino wool sweater","category":"Apparel","price":79.9,"currency":"USD","position":3,"url":"https://shop.example.com/p/merino-wool-sweater"},"context":{"library":{"name":"analytics-go","version":"3.3.0"},"ip":"203.0.113.7","locale":"en-GB","timezone":"Europe/London","userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36","campaign":{"name":"autumn-sale","source":"newsletter","medium":"email"}}}`

// BenchmarkDecode measures the collection path's per-event CPU: parse,
// validate, normalise and encode for the log.
func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchCall)))
	for b.Loop() {
		c, err := touchpoint.ParseCall([]byte(benchCall))
		if err != nil {
			b.Fatal(err)
		}
		ev, err := c.Normalize("", received)
		if err != nil {
			b.Fatal(err)
		}
		if len(ev.AppendJSON(nil)) == 0 {
			b.Fatal("empty encoding")
		}
	}
}

// BenchmarkDecodeBatch measures the per-event CPU of a batch of 100.
func BenchmarkDecodeBatch(b *testing.B) {
	body := []byte(`{"sentAt":"2026-11-22T10:00:00.100Z","batch":[` + strings.TrimSuffix(strings.Repeat(benchCall+",", 100), ",") + `]}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		batch, err := touchpoint.ParseBatch(body)
		if err != nil {
			b.Fatal(err)
		}
		events, rejected := batch.Events(received)
		if len(rejected) > 0 {
			b.Fatal(rejected[0].Error)
		}
		for i := range events {
			if len(events[i].AppendJSON(nil)) == 0 {
				b.Fatal("empty encoding")
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/event")
}
