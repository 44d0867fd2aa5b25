package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	analytics "github.com/segmentio/analytics-go/v3"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

func TestInit(t *testing.T) {
	dir, keys := initDir(t)
	if keys.Workspace != "default" || !strings.HasPrefix(keys.AdminKey, "tpk_") || keys.WriteKey == "" {
		t.Fatalf("init printed %+v", keys)
	}
	t.Run("ErrAlreadyInitialised", func(t *testing.T) {
		if _, err := tp(t, "init", "--data", dir); err == nil || !strings.Contains(err.Error(), "already initialised") {
			t.Fatalf("second init: %v", err)
		}
	})
	t.Run("ErrServeUninitialised", func(t *testing.T) {
		_, err := tp(t, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0")
		if err == nil || !strings.Contains(err.Error(), "touchpoint init") {
			t.Fatalf("serve on empty dir: %v", err)
		}
	})
	t.Run("ErrBadAddr", func(t *testing.T) {
		_, err := tp(t, "serve", "--data", dir, "--addr", "nowhere")
		if err == nil || !strings.Contains(err.Error(), "addr:") {
			t.Fatalf("serve with bad addr: %v", err)
		}
	})
}

// TestSegmentClient sends every call type with the real Segment Go client
// and reads the events back through the admin API.
func TestSegmentClient(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)

	client, err := analytics.NewWithConfig(keys.WriteKey, analytics.Config{Endpoint: s.url, Interval: 50 * time.Millisecond, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	past := time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)
	msgs := []analytics.Message{
		analytics.Page{AnonymousId: "anon-1", Name: "Home", Properties: analytics.NewProperties().SetURL("https://shop.example/")},
		analytics.Identify{AnonymousId: "anon-1", UserId: "user-1", Traits: analytics.NewTraits().SetEmail("ana@example.com").SetName("Ana")},
		analytics.Track{UserId: "user-1", Event: "Order Completed", Properties: analytics.NewProperties().SetRevenue(42.5).Set("order_id", "o-1"),
			Context: &analytics.Context{Locale: "vi-VN", Timezone: "Asia/Ho_Chi_Minh", Campaign: analytics.CampaignInfo{Name: "autumn", Source: "newsletter", Medium: "email"}}},
		analytics.Track{UserId: "user-1", Event: "Store Visited", Timestamp: past},
		analytics.Screen{UserId: "user-1", Name: "Cart"},
		analytics.Group{UserId: "user-1", GroupId: "acct-1", Traits: analytics.NewTraits().SetName("Acme")},
		analytics.Alias{UserId: "user-1", PreviousId: "legacy-9"},
	}
	for _, m := range msgs {
		if err := client.Enqueue(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}

	st := s.caughtUp()
	if st.EventsTotal != int64(len(msgs)) {
		t.Fatalf("events_total = %d, want %d", st.EventsTotal, len(msgs))
	}
	if st.ProfilesTotal != 1 {
		t.Fatalf("profiles_total = %d, want 1 (anon-1 identified as user-1)", st.ProfilesTotal)
	}
	events, err := s.client().Events(context.Background(), httpapi.EventsQuery{UserID: "user-1"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*touchpoint.Event{}
	for _, ev := range events {
		byName[string(ev.Type)+":"+ev.Event+ev.Name] = ev
	}
	order := byName["track:Order Completed"]
	if order == nil {
		t.Fatalf("Order Completed missing from %d events", len(events))
	}
	var props map[string]any
	json.Unmarshal(order.Properties, &props)
	if props["revenue"] != 42.5 || props["order_id"] != "o-1" {
		t.Fatalf("properties = %s", order.Properties)
	}
	var ctx struct {
		Library  struct{ Name string }
		Locale   string
		Timezone string
		IP       string
		Campaign struct{ Name string }
	}
	json.Unmarshal(order.Context, &ctx)
	if ctx.Library.Name != "analytics-go" || ctx.Locale != "vi-VN" || ctx.Timezone != "Asia/Ho_Chi_Minh" || ctx.Campaign.Name != "autumn" || ctx.IP != "127.0.0.1" {
		t.Fatalf("context not kept: %s", order.Context)
	}
	if order.SentAt.IsZero() || order.OriginalTimestamp.IsZero() || order.ReceivedAt.IsZero() {
		t.Fatalf("times not kept: %+v", order)
	}
	visit := byName["track:Store Visited"]
	if visit == nil || !visit.OriginalTimestamp.Equal(past) || visit.Timestamp.Sub(past).Abs() > time.Minute {
		t.Fatalf("historical event timestamp: %+v", visit)
	}
	if byName["screen:Cart"] == nil || byName["group:"] == nil || byName["alias:"] == nil || byName["identify:"] == nil {
		t.Fatalf("missing call types: %v", keysOf(byName))
	}
	for i := 1; i < len(events); i++ {
		if events[i].Timestamp.After(events[i-1].Timestamp) {
			t.Fatalf("events not newest first at %d", i)
		}
	}
	anon, err := s.client().Events(context.Background(), httpapi.EventsQuery{AnonymousID: "anon-1", Limit: 1})
	if err != nil || len(anon) != 1 {
		t.Fatalf("events by anonymous_id: %v, %v", anon, err)
	}
	s.stop()
}

func keysOf(m map[string]*touchpoint.Event) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestCollect covers the collection API's answers to good and bad input.
func TestCollect(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	wk := keys.WriteKey

	t.Run("OK", func(t *testing.T) {
		code, body := s.post("/v1/track", wk, `{"userId":"c1","event":"Signed Up","messageId":"ok-1"}`)
		if code != 200 || !strings.Contains(body, `"success":true`) {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("WriteKeyInBody", func(t *testing.T) {
		code, body := s.post("/v1/identify", "", `{"userId":"c1","traits":{"plan":"pro"},"writeKey":"`+wk+`","messageId":"ok-2"}`)
		if code != 200 {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("ShortPath", func(t *testing.T) {
		code, body := s.post("/v1/p", "", `{"anonymousId":"a1","name":"Home","writeKey":"`+wk+`","messageId":"ok-3"}`, "Content-Type", "text/plain")
		if code != 200 {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("Gzip", func(t *testing.T) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(`{"batch":[{"type":"track","userId":"c1","event":"Zipped","messageId":"ok-4"}]}`))
		zw.Close()
		code, body := s.post("/v1/batch", wk, buf.String(), "Content-Encoding", "gzip")
		if code != 200 || !strings.Contains(body, `"accepted":1`) {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("CORSPreflight", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodOptions, s.url+"/v1/t", nil)
		req.Header.Set("Origin", "https://shop.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
		}
	})

	for _, tt := range []struct {
		name, path, key, body string
		status                int
		code, mention         string
	}{
		{"ErrMalformedJSON", "/v1/track", wk, `{"userId":"x",`, 400, "invalid", "malformed JSON"},
		{"ErrUnknownCallType", "/v1/purchase", wk, `{"userId":"x"}`, 400, "invalid", "type: unknown call type"},
		{"ErrMissingIdentity", "/v1/track", wk, `{"event":"x"}`, 400, "invalid", "userId"},
		{"ErrMissingEventName", "/v1/track", wk, `{"userId":"x"}`, 400, "invalid", "event:"},
		{"ErrInvalidTimestamp", "/v1/track", wk, `{"userId":"x","event":"e","timestamp":"12/31/2026"}`, 400, "invalid", "timestamp:"},
		{"ErrEventTooLarge", "/v1/track", wk, `{"userId":"x","event":"e","properties":{"p":"` + strings.Repeat("x", 33<<10) + `"}}`, 413, "too_large", "32 KB"},
		{"ErrBatchTooLarge", "/v1/batch", wk, `{"batch":[{"type":"track","userId":"x","event":"e","properties":{"p":"` + strings.Repeat("x", 501<<10) + `"}}]}`, 413, "too_large", "500 KB"},
		{"ErrNoWriteKey", "/v1/track", "", `{"userId":"x","event":"e"}`, 401, "unauthorized", "write key required"},
		{"ErrUnknownWriteKey", "/v1/track", "wk_nope", `{"userId":"x","event":"e"}`, 401, "unauthorized", "unknown write key"},
		{"ErrAllBatchItemsRejected", "/v1/batch", wk, `{"batch":[{"type":"track","userId":"x"}]}`, 400, "invalid", "batch[0].event"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, body := s.post(tt.path, tt.key, tt.body)
			var e struct{ Error touchpoint.Error }
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("%d %s: %v", code, body, err)
			}
			if code != tt.status || e.Error.Code != tt.code || !strings.Contains(e.Error.Message, tt.mention) {
				t.Fatalf("got %d %s; want %d %s mentioning %q", code, body, tt.status, tt.code, tt.mention)
			}
		})
	}

	t.Run("PartialBatchKeepsValidItems", func(t *testing.T) {
		code, body := s.post("/v1/batch", wk, `{"batch":[
			{"type":"track","userId":"p1","event":"Good","messageId":"pb-1"},
			{"type":"track","userId":"p1","messageId":"pb-2"},
			{"type":"track","userId":"p1","event":"Bad time","timestamp":"soon","messageId":"pb-3"},
			{"type":"page","userId":"p1","name":"Pricing","messageId":"pb-4"}]}`)
		var resp httpapi.BatchResponse
		json.Unmarshal([]byte(body), &resp)
		if code != 200 || resp.Accepted != 2 || len(resp.Rejected) != 2 || resp.Rejected[0].Index != 1 || resp.Rejected[1].Error.Field != "batch[2].timestamp" {
			t.Fatalf("%d %s", code, body)
		}
	})

	t.Run("ReplayedBatchAddsNothing", func(t *testing.T) {
		batch := `{"batch":[{"type":"track","userId":"r1","event":"A","messageId":"rp-1"},{"type":"track","userId":"r1","event":"B","messageId":"rp-2"}]}`
		before := s.caughtUp().EventsTotal
		for i := 0; i < 3; i++ {
			if code, body := s.post("/v1/batch", wk, batch); code != 200 {
				t.Fatalf("%d %s", code, body)
			}
		}
		if after := s.caughtUp().EventsTotal; after != before+2 {
			t.Fatalf("events_total %d -> %d after sending the same batch 3 times, want +2", before, after)
		}
	})

	t.Run("RevokedWriteKey", func(t *testing.T) {
		c := s.client()
		src, err := c.CreateSource(context.Background(), "Kiosk", "store")
		if err != nil {
			t.Fatal(err)
		}
		if code, body := s.post("/v1/track", src.WriteKey, `{"userId":"k1","event":"Store Visited"}`); code != 200 {
			t.Fatalf("new key: %d %s", code, body)
		}
		if _, err := c.RevokeSource(context.Background(), src.ID); err != nil {
			t.Fatal(err)
		}
		code, body := s.post("/v1/track", src.WriteKey, `{"userId":"k1","event":"Store Visited"}`)
		if code != 401 || !strings.Contains(body, "revoked") {
			t.Fatalf("revoked key: %d %s", code, body)
		}
		list, err := c.Sources(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range list {
			if l.ID == src.ID {
				t.Fatal("revoked source still listed")
			}
		}
		events, _ := c.Events(context.Background(), httpapi.EventsQuery{UserID: "k1"})
		s.caughtUp()
		events, _ = c.Events(context.Background(), httpapi.EventsQuery{UserID: "k1"})
		if len(events) != 1 || events[0].Channel != "store" || events[0].SourceID != src.ID {
			t.Fatalf("events of store source: %+v", events)
		}
	})

	t.Run("AdminAPIErrors", func(t *testing.T) {
		bad := httpapi.NewClient(s.url, "tpk_wrong")
		if _, err := bad.Stats(context.Background()); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
			t.Fatalf("wrong admin key: %v", err)
		}
		_, err := s.client().CreateSource(context.Background(), "x", "fax")
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID || !strings.Contains(touchpoint.ErrorMessage(err), "type") {
			t.Fatalf("bad source type: %v", err)
		}
		if _, err := s.client().Events(context.Background(), httpapi.EventsQuery{Limit: 10001}); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("bad limit: %v", err)
		}
		if _, err := s.client().RevokeSource(context.Background(), "src_missing"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("revoke missing: %v", err)
		}
	})

	t.Run("HealthAndMetrics", func(t *testing.T) {
		for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "touchpoint_log_events_appended_total", "/api/v1/openapi.json": `"openapi"`} {
			resp, err := http.Get(s.url + path)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(b.String(), want) {
				t.Fatalf("%s: %d %.200s", path, resp.StatusCode, b.String())
			}
		}
	})
	s.stop()
}

// TestCrash kills the server with SIGKILL while clients send, restarts it,
// and checks that every acknowledged event is present exactly once.
func TestCrash(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)

	const clients = 8
	var mu sync.Mutex
	acked := map[string]int{} // messageId -> client
	var stop atomic.Bool
	var sent atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			hc := &http.Client{Timeout: 10 * time.Second}
			for i := 0; !stop.Load() && i < 100000; i++ {
				var b strings.Builder
				b.WriteString(`{"batch":[`)
				ids := make([]string, 20)
				for j := range ids {
					ids[j] = fmt.Sprintf("crash-%d-%d-%d", c, i, j)
					if j > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `{"type":"track","userId":"crash-user-%d","event":"Tick","messageId":%q}`, c, ids[j])
				}
				b.WriteString(`]}`)
				req, _ := http.NewRequest(http.MethodPost, s.url+"/v1/batch", strings.NewReader(b.String()))
				req.SetBasicAuth(keys.WriteKey, "")
				resp, err := hc.Do(req)
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				if resp.StatusCode == 200 {
					mu.Lock()
					for _, id := range ids {
						acked[id] = c
					}
					mu.Unlock()
					sent.Add(int64(len(ids)))
				}
			}
		}(c)
	}
	for sent.Load() < 3000 {
		time.Sleep(5 * time.Millisecond)
	}
	s.kill9()
	stop.Store(true)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no event was acknowledged before the kill")
	}

	s = start(t, dir, keys)
	st := s.caughtUp()
	t.Logf("after restart: %+v", st)
	if st.EventsTotal < int64(len(acked)) {
		t.Fatalf("events_total %d < %d acknowledged", st.EventsTotal, len(acked))
	}
	for c := 0; c < clients; c++ {
		events, err := s.client().Events(context.Background(), httpapi.EventsQuery{UserID: fmt.Sprintf("crash-user-%d", c), Limit: touchpoint.MaxEventLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == touchpoint.MaxEventLimit {
			t.Fatalf("client %d: too many events to check in one page", c)
		}
		seen := map[string]int{}
		for _, ev := range events {
			seen[ev.ID]++
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("event %s stored %d times", id, n)
			}
		}
		for id, owner := range acked {
			if owner == c && seen[id] != 1 {
				t.Fatalf("acknowledged event %s lost after kill -9", id)
			}
		}
	}
	t.Logf("%d events acknowledged before kill -9, all present once after restart (%d stored)", len(acked), st.EventsTotal)
	s.stop()
}

// TestGracefulShutdown stops the server with SIGTERM under load: requests
// in flight finish, and everything acknowledged is there after a restart.
func TestGracefulShutdown(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	var acked atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; ; i++ {
				req, _ := http.NewRequest(http.MethodPost, s.url+"/v1/track", strings.NewReader(fmt.Sprintf(`{"userId":"g%d","event":"Tick","messageId":"g-%d-%d"}`, c, c, i)))
				req.SetBasicAuth(keys.WriteKey, "")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				resp.Body.Close()
				if resp.StatusCode == 200 {
					acked.Add(1)
				}
			}
		}(c)
	}
	for acked.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	s.stop()
	wg.Wait()
	if !strings.Contains(s.stderr.String(), "stopped") {
		t.Fatalf("no clean stop in log:\n%s", s.stderr.String())
	}
	s = start(t, dir, keys)
	if st := s.caughtUp(); st.EventsTotal < acked.Load() {
		t.Fatalf("events_total %d < %d acknowledged", st.EventsTotal, acked.Load())
	}
	s.stop()
}
