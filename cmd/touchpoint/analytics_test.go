package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

// TestAnalytics runs journey analytics through the real binary: events in
// through the collection API, answers out of the analytics API and CLI.
func TestAnalytics(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	body := `{"batch":[
		{"type":"track","userId":"u1","event":"Viewed","timestamp":"2026-11-02T10:00:00Z"},
		{"type":"track","userId":"u1","event":"Order Completed","timestamp":"2026-11-02T10:05:00Z","properties":{"revenue":40}},
		{"type":"track","userId":"u1","event":"Survey Responded","timestamp":"2026-11-02T11:00:00Z","properties":{"survey_type":"nps","score":9,"max_score":10}},
		{"type":"track","userId":"u1","event":"Delivered","timestamp":"2026-11-03T10:00:00Z"},
		{"type":"track","userId":"u2","event":"Viewed","timestamp":"2026-11-02T12:00:00Z"},
		{"type":"track","userId":"u2","event":"Order Completed","timestamp":"2026-11-02T12:01:00Z","properties":{"revenue":15}},
		{"type":"page","userId":"u3","name":"Home","timestamp":"2026-11-02T09:00:00Z"},
		{"type":"track","userId":"u3","event":"Viewed","timestamp":"2026-11-02T09:01:00Z"}]}`
	if code, resp := s.post("/v1/batch", keys.WriteKey, body); code != 200 {
		t.Fatalf("%d %s", code, resp)
	}
	s.caughtUp()
	ctx := context.Background()
	c := s.client()

	f, err := c.Funnel(ctx, touchpoint.FunnelRequest{Steps: []touchpoint.FunnelStep{{Event: "Viewed"}, {Event: "Order Completed"}, {Event: "Delivered"}}, Window: "2d"})
	if err != nil {
		t.Fatal(err)
	}
	var counts []int64
	for _, st := range f.Steps {
		counts = append(counts, st.Count)
	}
	if !reflect.DeepEqual(counts, []int64{3, 2, 1}) || *f.Steps[1].MedianSeconds != 180 {
		t.Fatalf("funnel %+v, want 3 → 2 → 1 with a median of 3 minutes to buy", f.Steps)
	}

	m, err := c.JourneyMap(ctx, touchpoint.JourneyMapRequest{})
	if err != nil {
		t.Fatal(err)
	}
	edges := map[string]int64{}
	for _, e := range m.Edges {
		edges[e.From+">"+e.To] = e.Count
	}
	if m.Profiles != 3 || edges["Viewed>Order Completed"] != 2 || edges["page:Home>Viewed"] != 1 {
		t.Fatalf("map: %d customers, edges %v", m.Profiles, edges)
	}
	for _, n := range m.Nodes {
		if n.ID == "Order Completed" && (n.CX == nil || n.CX.NPS == nil || *n.CX.NPS != 100) {
			t.Fatalf("the promoter's answer is not on Order Completed: %+v", n.CX)
		}
	}

	if _, err := c.Funnel(ctx, touchpoint.FunnelRequest{}); touchpoint.ErrorField(err) != "steps" || touchpoint.ErrorCode(err) != touchpoint.EINVALID {
		t.Fatalf("funnel without steps: %v", err)
	}
	if _, err := c.Churn(ctx, touchpoint.ChurnRequest{}); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
		t.Fatalf("churn on three customers: %v, want a clear not-enough-history error", err)
	}

	// Scores through the CLI, which finds the running server.
	out, err := tp(t, "scores", "refresh", "--data", dir)
	if err != nil {
		t.Fatalf("scores refresh: %v: %s", err, out)
	}
	var refresh touchpoint.ScoresRefresh
	if err := json.Unmarshal([]byte(out), &refresh); err != nil || refresh.Profiles != 2 {
		t.Fatalf("scores refresh printed %q (%v), want 2 buyers scored", out, err)
	}
	sc, err := c.ProfileScores(ctx, "user_id:u1")
	if err != nil || sc.Orders != 1 || sc.Revenue != 40 {
		t.Fatalf("u1's scores %+v, %v", sc, err)
	}
	if p, err := c.Profile(ctx, "user_id:u1"); err != nil || p.Scores == nil || p.Scores.Revenue != 40 {
		t.Fatalf("u1's profile carries scores %+v, %v", p, err)
	}
}

// TestFeedbackOnJourneyMap checks that a ticket sent by a helpdesk's
// webhook shows on the journey map at the touchpoint the customer went
// through before writing it: its sentiment and topics as the text models
// read them, and its CSAT, on the profile identity resolution found from
// the ticket's email alone.
func TestFeedbackOnJourneyMap(t *testing.T) {
	ctx := context.Background()
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	c := s.client()
	// The ticket in testdata was written on 2026-11-20 at 09:14.
	body := `{"batch":[
		{"type":"identify","userId":"cust-7","traits":{"email":"ana.silva@example.com"},"timestamp":"2026-11-18T08:00:00Z"},
		{"type":"track","userId":"cust-7","event":"Call Completed","timestamp":"2026-11-18T08:30:00Z"},
		{"type":"track","userId":"cust-7","event":"Order Delivered","timestamp":"2026-11-20T08:00:00Z"},
		{"type":"track","userId":"cust-8","event":"Order Delivered","timestamp":"2026-11-20T08:00:00Z"}]}`
	if code, resp := s.post("/v1/batch", keys.WriteKey, body); code != 200 {
		t.Fatalf("%d %s", code, resp)
	}
	hook, err := c.CreateFeedbackHook(ctx, httpapi.HookRequest{Name: "zendesk", Kind: touchpoint.KindTicket, Mapping: touchpoint.FeedbackMapping{
		ExternalID: "ticket.id", Title: "ticket.subject", Text: []string{"ticket.description"}, Email: "ticket.requester.email",
		CreatedAt: "ticket.created_at", Score: "ticket.satisfaction_rating.score", ScoreMap: map[string]float64{"good": 5, "bad": 1}, SurveyType: "csat"}})
	if err != nil {
		t.Fatal(err)
	}
	ticket, err := os.ReadFile("../../feedback/testdata/zendesk_ticket.json")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, hook.URL, strings.NewReader(string(ticket)))
	req.Header.Set("Authorization", "Bearer "+hook.Secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("hook call: %d", resp.StatusCode)
	}
	s.caughtUp()

	m, err := c.JourneyMap(ctx, touchpoint.JourneyMapRequest{})
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]touchpoint.JourneyNode{}
	for _, n := range m.Nodes {
		nodes[n.ID] = n
	}
	cx := nodes["Order Delivered"].CX
	if cx == nil || cx.Sentiment == nil {
		t.Fatalf("no feedback on Order Delivered: %+v (nodes %+v)", cx, m.Nodes)
	}
	if st := cx.Sentiment; st.Items != 1 || st.Negative != 1 || st.Average >= 0 || len(st.Topics) == 0 ||
		!slices.ContainsFunc(st.Topics, func(tp touchpoint.NodeTopic) bool { return tp.Topic == "delivery" && tp.Negative == 1 }) {
		t.Errorf("the ticket's sentiment on Order Delivered: %+v, want one negative item about delivery", st)
	}
	if cx.CSATResponses != 1 || cx.CSAT == nil || *cx.CSAT != 0 {
		t.Errorf("the ticket's bad rating on Order Delivered: %d answers, CSAT %v", cx.CSATResponses, cx.CSAT)
	}
	// The call came before the delivery, and the ticket is no touchpoint of its own.
	for _, id := range []string{"Call Completed", "Feedback Received"} {
		if nodes[id].CX != nil {
			t.Errorf("%s carries the ticket: %+v", id, nodes[id].CX)
		}
	}
}
