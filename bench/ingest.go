package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// IngestConfig sets up one ingest run.
type IngestConfig struct {
	URL         string        // server base URL
	WriteKey    string        // a live write key
	BatchSize   int           // events per request; 1 sends /v1/track, more sends /v1/batch
	Concurrency int           // concurrent clients
	Duration    time.Duration // how long to send
	Warmup      time.Duration // sent first and not counted
}

// IngestResult is what one run measured.
type IngestResult struct {
	Config       IngestConfig
	Requests     int64
	Events       int64
	Errors       int64
	Elapsed      time.Duration
	EventsPerS   float64
	RequestsPerS float64
	P50, P99     time.Duration
}

func (r IngestResult) String() string {
	return fmt.Sprintf("batch=%-4d conc=%-4d  %9.0f events/s  %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  (%d requests, %d errors, %s)",
		r.Config.BatchSize, r.Config.Concurrency, r.EventsPerS, r.RequestsPerS,
		float64(r.P50.Microseconds())/1000, float64(r.P99.Microseconds())/1000, r.Requests, r.Errors, r.Elapsed.Round(time.Millisecond))
}

// Ingest sends events as fast as the server acknowledges them and reports
// throughput and latency. Only 200 answers count: each is a durable ack.
func Ingest(ctx context.Context, cfg IngestConfig) (IngestResult, error) {
	if cfg.BatchSize < 1 || cfg.Concurrency < 1 || cfg.Duration <= 0 {
		return IngestResult{}, fmt.Errorf("bench: batch size, concurrency and duration must be positive")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Concurrency * 2, MaxConnsPerHost: cfg.Concurrency * 2, DisableCompression: true}}
	path := "/v1/batch"
	if cfg.BatchSize == 1 {
		path = "/v1/track"
	}
	url := cfg.URL + path

	var counting atomic.Bool
	var requests, events, errs atomic.Int64
	lat := make([][]time.Duration, cfg.Concurrency)
	var firstErr atomic.Value

	runCtx, cancel := context.WithTimeout(ctx, cfg.Warmup+cfg.Duration)
	defer cancel()
	var startCount time.Time
	var wg sync.WaitGroup
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var seq int
			buf := &bytes.Buffer{}
			for runCtx.Err() == nil {
				buf.Reset()
				writeBody(buf, w, &seq, cfg.BatchSize)
				req, _ := http.NewRequestWithContext(runCtx, http.MethodPost, url, bytes.NewReader(buf.Bytes()))
				req.SetBasicAuth(cfg.WriteKey, "")
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				d := time.Since(t0)
				if err != nil {
					if runCtx.Err() == nil {
						errs.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if !counting.Load() {
					continue
				}
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, resp.Status)
					continue
				}
				requests.Add(1)
				events.Add(int64(cfg.BatchSize))
				lat[w] = append(lat[w], d)
			}
		}(w)
	}
	time.Sleep(cfg.Warmup)
	startCount = time.Now()
	counting.Store(true)
	wg.Wait()
	elapsed := time.Since(startCount)

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	res := IngestResult{Config: cfg, Requests: requests.Load(), Events: events.Load(), Errors: errs.Load(), Elapsed: elapsed}
	res.EventsPerS = float64(res.Events) / elapsed.Seconds()
	res.RequestsPerS = float64(res.Requests) / elapsed.Seconds()
	if len(all) > 0 {
		res.P50 = all[len(all)*50/100]
		res.P99 = all[min(len(all)-1, len(all)*99/100)]
	}
	if res.Requests == 0 {
		msg, _ := firstErr.Load().(string)
		return res, fmt.Errorf("bench: no request succeeded (%s)", msg)
	}
	return res, nil
}

// writeBody writes a realistic request: Segment track calls of about 600
// bytes with properties and context, each with a unique messageId.
func writeBody(buf *bytes.Buffer, worker int, seq *int, n int) {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	if n > 1 {
		buf.WriteString(`{"sentAt":"` + now + `","batch":[`)
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		*seq++
		id := strconv.Itoa(worker) + "-" + strconv.Itoa(*seq)
		buf.WriteString(`{"type":"track","messageId":"bench-`)
		buf.WriteString(id)
		buf.WriteString(`","userId":"user-`)
		buf.WriteString(strconv.Itoa((*seq*7919 + worker) % 100000))
		buf.WriteString(`","event":"Product Viewed","timestamp":"`)
		buf.WriteString(now)
		buf.WriteString(`","properties":{"product_id":"sku-`)
		buf.WriteString(strconv.Itoa(*seq % 977))
		buf.WriteString(`","name":"Merino wool sweater","category":"Apparel","price":79.9,"currency":"USD","position":3,"url":"https://shop.example.com/p/merino-wool-sweater"},`)
		buf.WriteString(`"context":{"library":{"name":"analytics-go","version":"3.3.0"},"ip":"203.0.113.7","locale":"en-GB","timezone":"Europe/London",`)
		buf.WriteString(`"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",`)
		buf.WriteString(`"campaign":{"name":"autumn-sale","source":"newsletter","medium":"email"}}}`)
	}
	if n > 1 {
		buf.WriteString(`]}`)
	}
}
