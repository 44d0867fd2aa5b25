package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

// evaluated waits until a segment's membership reflects its definition
// and every event is through the pipeline, then returns it.
func (s *server) evaluated(id string) *touchpoint.Segment {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s.caughtUp()
		seg, err := s.client().Segment(context.Background(), id)
		if err != nil {
			s.t.Fatal(err)
		}
		if seg.EvaluatedVersion == seg.Version {
			return seg
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("segment %s not evaluated: %+v", id, seg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSegmentsEndToEnd builds segments through the API of the real binary:
// estimates, membership kept as events arrive, membership events in the
// log, exports, history, a metric filtered by segment, a webhook
// destination, and personas.
func TestSegmentsEndToEnd(t *testing.T) {
	// A receiver on this machine's loopback address, which the server may
	// reach only because it is allowed.
	var mu sync.Mutex
	var received []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		received = append(received, m)
		mu.Unlock()
	}))
	defer hook.Close()
	u, _ := url.Parse(hook.URL)
	t.Setenv("TOUCHPOINT_OUTBOUND_ALLOWED_HOSTS", u.Host)

	ctx := context.Background()
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	c := s.client()
	var batch []string
	now := time.Now().UTC()
	for i := 0; i < 30; i++ {
		user := fmt.Sprintf("u%02d", i)
		plan := []string{"free", "pro"}[i%2]
		batch = append(batch, fmt.Sprintf(`{"type":"identify","userId":%q,"traits":{"plan":%q,"email":"%s@example.com"}}`, user, plan, user))
		for j := 0; j < i%4; j++ {
			at := now.Add(-time.Duration(j*5+1) * 24 * time.Hour).Format(time.RFC3339)
			batch = append(batch, fmt.Sprintf(`{"type":"track","userId":%q,"event":"Order Completed","timestamp":%q,"properties":{"revenue":%d}}`, user, at, 20*(j+1)))
		}
		score := i % 11
		batch = append(batch, fmt.Sprintf(`{"type":"track","userId":%q,"event":"Survey Responded","properties":{"survey_type":"nps","score":%d,"response_id":"r%d"}}`, user, score, i))
	}
	if code, out := s.post("/v1/batch", keys.WriteKey, `{"batch":[`+strings.Join(batch, ",")+`]}`); code != 200 {
		t.Fatalf("%d %s", code, out)
	}
	s.caughtUp()

	def := touchpoint.SegmentCondition{And: []touchpoint.SegmentCondition{
		{Event: &touchpoint.EventCondition{Name: "Order Completed", Op: "gte", Count: 2, WithinDays: 30}},
		{Trait: &touchpoint.ValueCondition{Key: "plan", Op: "eq", Value: touchpoint.StringValue("pro")}},
	}}
	est, err := c.EstimateSegment(ctx, def)
	if err != nil {
		t.Fatal(err)
	}
	// Pro users (odd i) with two orders or more (i%4 >= 2): i%4 == 3.
	if est.Size != 7 || est.Total != 30 {
		t.Fatalf("estimate = %+v, want 7 of 30", est)
	}
	if _, err := c.EstimateSegment(ctx, touchpoint.SegmentCondition{Event: &touchpoint.EventCondition{Name: "x", Count: -1}}); touchpoint.ErrorField(err) != "condition.event.count" {
		t.Fatalf("bad estimate: %v", err)
	}
	seg, err := c.CreateSegment(ctx, httpapi.SegmentRequest{Name: "Loyal pro buyers", Condition: def})
	if err != nil {
		t.Fatal(err)
	}
	seg = s.evaluated(seg.ID)
	if seg.Size != 7 {
		t.Fatalf("size = %d, want the 7 estimated", seg.Size)
	}

	// One more order brings u01 in, and the log records it once.
	if code, out := s.post("/v1/batch", keys.WriteKey, `{"batch":[{"type":"track","userId":"u01","event":"Order Completed","messageId":"late-order"}]}`); code != 200 {
		t.Fatalf("%d %s", code, out)
	}
	s.evaluated(seg.ID)
	deadline := time.Now().Add(30 * time.Second)
	for {
		evs, err := c.Events(ctx, httpapi.EventsQuery{UserID: "u01", Event: touchpoint.EventSegmentEntered})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 1 {
			var p map[string]string
			json.Unmarshal(evs[0].Properties, &p)
			if p["segment_id"] != seg.ID || p["segment_name"] != "Loyal pro buyers" || evs[0].SourceID != touchpoint.SystemSourceID {
				t.Fatalf("segment.entered = %+v", evs[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d segment.entered events of u01", len(evs))
		}
		s.caughtUp()
	}

	// A journey's branch asks the segment: u01 is in it now, u00 is not.
	doc := fmt.Sprintf("name: Loyal\nentry: {type: api, next: b}\nnodes:\n  - {id: b, type: branch, branches: [{name: loyal, when: '%q in profile.segments', next: e}], else: ''}\n  - {id: e, type: exit}\n", seg.ID)
	if _, err := c.PutJourney(ctx, "loyal", []byte(doc)); err != nil {
		t.Fatal(err)
	}
	for user, port := range map[string]string{"u01": "loyal", "u00": "else"} {
		run, err := c.DryRun(ctx, "loyal", httpapi.DryRunRequest{DryRunRequest: touchpoint.DryRunRequest{Profile: "user_id:" + user}})
		if err != nil || len(run.Steps) < 2 || run.Steps[1].Port != port {
			t.Fatalf("dry run for %s: %+v %v (want the %s output)", user, run, err, port)
		}
	}

	page, err := c.SegmentMembers(ctx, seg.ID, "", 5)
	if err != nil || len(page.Members) != 5 || page.Next == "" || page.Members[0].Email == "" {
		t.Fatalf("page = %+v, %v", page, err)
	}
	rest, err := c.SegmentMembers(ctx, seg.ID, page.Next, 5)
	if err != nil || len(rest.Members) != 3 || rest.Next != "" {
		t.Fatalf("second page = %+v, %v", rest, err)
	}
	body, err := c.SegmentCSV(ctx, seg.ID)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(rows) != 9 || rows[0][1] != "user_id" || !slices.ContainsFunc(rows, func(r []string) bool { return r[1] == "u01" }) {
		t.Fatalf("CSV = %q, %v", body, err)
	}
	hist, err := c.SegmentHistory(ctx, seg.ID, 0, 100)
	if err != nil || len(hist.Changes) != 8 || hist.Changes[0].Reason != touchpoint.ReasonEvent || hist.Changes[7].Reason != touchpoint.ReasonDefinition {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	sizes, err := c.SegmentSizes(ctx, seg.ID, 7)
	if err != nil || len(sizes) != 1 || sizes[0].Size != 8 || sizes[0].Entered != 8 {
		t.Fatalf("sizes = %+v, %v", sizes, err)
	}
	segs, err := c.ProfileSegments(ctx, page.Members[0].ProfileID)
	if err != nil || len(segs) != 1 || segs[0].ID != seg.ID {
		t.Fatalf("profile segments = %v, %v", segs, err)
	}

	// NPS of the segment counts its eight members' answers only.
	nps, err := c.NPS(ctx, url.Values{"segment_id": {seg.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if nps.Responses != 8 {
		t.Fatalf("NPS of the segment counts %d responses, want 8", nps.Responses)
	}

	t.Run("Destination", func(t *testing.T) {
		if _, err := c.CreateDestination(ctx, seg.ID, httpapi.DestinationRequest{URL: "http://10.0.0.1/hook"}); touchpoint.ErrorField(err) != "url" {
			t.Fatalf("private address: %v", err)
		}
		d, err := c.CreateDestination(ctx, seg.ID, httpapi.DestinationRequest{Name: "CRM", URL: hook.URL + "/segments"})
		if err != nil || !strings.HasPrefix(d.Secret, "whsec_") {
			t.Fatalf("destination = %+v, %v", d, err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			n := len(received)
			mu.Unlock()
			if n > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the webhook received nothing")
			}
			time.Sleep(20 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		if received[0]["type"] != "segment.sync" || len(received[0]["members"].([]any)) != 8 {
			t.Fatalf("received %v", received[0])
		}
	})

	t.Run("Personas", func(t *testing.T) {
		run, err := c.RefreshPersonas(ctx)
		if err != nil || run.K < 2 || run.Customers != 30 {
			t.Fatalf("run = %+v, %v", run, err)
		}
		ps, err := c.Personas(ctx)
		if err != nil || len(ps.Personas) != run.K || ps.Run.Run != run.Run {
			t.Fatalf("personas = %+v, %v", ps, err)
		}
		total := int64(0)
		for _, p := range ps.Personas {
			total += p.Size
			if p.Name == "" || p.Description == "" || p.ChurnRisk == nil {
				t.Fatalf("persona %+v", p)
			}
		}
		if total != 30 {
			t.Fatalf("personas hold %d customers, want 30", total)
		}
		// A metric by persona, through the same filter as segments.
		if _, err := c.NPS(ctx, url.Values{"segment_id": {ps.Personas[0].ID}}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		// A viewer sees sizes but not members, and changes nothing.
		req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/segments/"+seg.ID+"/members", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("members without a key: %d", resp.StatusCode)
		}
	})
	s.stop()
}
