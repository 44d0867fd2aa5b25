package duckdb_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

// sharedJourneys finds the public process logs the project is tested on
// (shared/data/journeys beside the repository, or above it).
func sharedJourneys(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "data", "journeys")
		if _, err := os.Stat(filepath.Join(p, "helpdesk.csv")); err == nil {
			return p
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("shared/data/journeys not found beside the repository")
	}
	t.Skip("shared/data/journeys not found beside the repository")
	return ""
}

// logRow is one row of a process log.
type logRow struct {
	caseID, activity string
	at               time.Time
	row              int
}

func readLog(t *testing.T, path string) []logRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []logRow
	for i, r := range recs[1:] {
		at, err := time.Parse(time.RFC3339Nano, r[2])
		if err != nil {
			t.Fatalf("%s row %d: %v", path, i+2, err)
		}
		out = append(out, logRow{caseID: r[0], activity: r[1], at: at.UTC(), row: i})
	}
	return out
}

// loadLog appends the log's rows as track events, one case a customer.
// messageIds carry the row number so that events of the same instant keep
// the log's order, as process mining tools read them.
func loadLog(t *testing.T, w *duckdb.Warehouse, name string, rows []logRow) {
	t.Helper()
	var batch []touchpoint.Event
	for _, r := range rows {
		batch = append(batch, touchpoint.Event{ID: fmt.Sprintf("%s-%07d", name, r.row), Workspace: "default", Type: touchpoint.TypeTrack,
			Event: r.activity, UserID: r.caseID, Channel: "support", Timestamp: r.at, ReceivedAt: r.at})
	}
	if err := w.Apply(context.Background(), tplog.Batch{Events: batch, LastSequence: 1}); err != nil {
		t.Fatal(err)
	}
}

// quantile is DuckDB's quantile_cont: linear interpolation between the
// closest ranks.
func quantile(xs []float64, q float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	pos := q * float64(len(s)-1)
	lo := math.Floor(pos)
	hi := math.Ceil(pos)
	return s[int(lo)] + (s[int(hi)]-s[int(lo)])*(pos-lo)
}

type wantEdge struct {
	count int64
	cases map[string]bool
	secs  []float64
}

type wantNode struct {
	count         int64
	cases         map[string]int
	starts, exits int64
}

// directlyFollows computes the journey map of a log by plain Go: each
// case's rows in time order (the log's order for ties), then consecutive
// pairs.
func directlyFollows(rows []logRow) (map[string]*wantNode, map[[2]string]*wantEdge, int) {
	nodes, edges, cases, _ := traces(rows)
	return nodes, edges, cases
}

// traces also returns how many cases follow each complete trace.
func traces(rows []logRow) (map[string]*wantNode, map[[2]string]*wantEdge, int, map[string]int64) {
	variants := map[string]int64{}
	byCase := map[string][]logRow{}
	for _, r := range rows {
		byCase[r.caseID] = append(byCase[r.caseID], r)
	}
	nodes, edges := map[string]*wantNode{}, map[[2]string]*wantEdge{}
	for id, rs := range byCase {
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].at.Before(rs[j].at) })
		var trace []string
		for _, r := range rs {
			trace = append(trace, r.activity)
		}
		variants[strings.Join(trace, " > ")]++
		for i, r := range rs {
			n := nodes[r.activity]
			if n == nil {
				n = &wantNode{cases: map[string]int{}}
				nodes[r.activity] = n
			}
			n.count++
			n.cases[id]++
			if i == 0 {
				n.starts++
			}
			if i == len(rs)-1 {
				n.exits++
				continue
			}
			k := [2]string{r.activity, rs[i+1].activity}
			e := edges[k]
			if e == nil {
				e = &wantEdge{cases: map[string]bool{}}
				edges[k] = e
			}
			e.count++
			e.cases[id] = true
			e.secs = append(e.secs, rs[i+1].at.Sub(r.at).Seconds())
		}
	}
	return nodes, edges, len(byCase), variants
}

func TestJourneyMapRealLogs(t *testing.T) {
	dir := sharedJourneys(t)
	ctx := context.Background()
	for _, name := range []string{"helpdesk", "receipt"} {
		t.Run(name, func(t *testing.T) {
			w, _ := setup(t)
			rows := readLog(t, filepath.Join(dir, name+".csv"))
			loadLog(t, w, name, rows)
			wantNodes, wantEdges, cases, variants := traces(rows)

			got, err := w.JourneyMap(ctx, touchpoint.JourneyMapRequest{Scope: touchpoint.Scope{Workspace: "default"}})
			if err != nil {
				t.Fatal(err)
			}
			if got.Profiles != int64(cases) || got.Events != int64(len(rows)) {
				t.Errorf("map of %d customers and %d events, want %d and %d", got.Profiles, got.Events, cases, len(rows))
			}
			if len(got.Nodes) != len(wantNodes) {
				t.Errorf("%d nodes, want %d", len(got.Nodes), len(wantNodes))
			}
			for _, n := range got.Nodes {
				want := wantNodes[n.ID]
				if want == nil {
					t.Errorf("node %q not in the log", n.ID)
					continue
				}
				var repeat int64
				for _, c := range want.cases {
					if c > 1 {
						repeat++
					}
				}
				if n.Count != want.count || n.Profiles != int64(len(want.cases)) || n.Starts != want.starts || n.Exits != want.exits || n.RepeatProfiles != repeat {
					t.Errorf("node %q = count %d profiles %d starts %d exits %d repeat %d; want %d %d %d %d %d", n.ID,
						n.Count, n.Profiles, n.Starts, n.Exits, n.RepeatProfiles, want.count, len(want.cases), want.starts, want.exits, repeat)
				}
			}
			// The most common complete traces, with how many cases took them.
			for _, v := range got.Variants {
				if want := variants[strings.Join(v.Activities, " > ")]; v.Profiles != want {
					t.Errorf("variant %v: %d cases, want %d", v.Activities, v.Profiles, want)
				}
			}
			var most int64
			for _, n := range variants {
				most = max(most, n)
			}
			if len(got.Variants) == 0 || got.Variants[0].Profiles != most {
				t.Errorf("top variant %+v, want one of %d cases", got.Variants, most)
			}
			// A date range takes the other way to the variants; it must agree.
			from, to := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
			ranged, err := w.JourneyMap(ctx, touchpoint.JourneyMapRequest{Scope: touchpoint.Scope{Workspace: "default", From: &from, To: &to}})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ranged.Variants, got.Variants) || !reflect.DeepEqual(ranged.Edges, got.Edges) {
				t.Errorf("a range around everything changes the map: %+v", ranged.Variants)
			}
			if len(got.Edges) != len(wantEdges) {
				t.Errorf("%d edges, want %d", len(got.Edges), len(wantEdges))
			}
			for _, e := range got.Edges {
				want := wantEdges[[2]string{e.From, e.To}]
				if want == nil {
					t.Errorf("edge %q → %q not in the log", e.From, e.To)
					continue
				}
				med, p90 := quantile(want.secs, 0.5), quantile(want.secs, 0.9)
				if e.Count != want.count || e.Profiles != int64(len(want.cases)) || math.Abs(e.MedianSeconds-med) > 1e-3 || math.Abs(e.P90Seconds-p90) > 1e-3 {
					t.Errorf("edge %q → %q = %d (%d cases) median %.3f p90 %.3f; want %d (%d) %.3f %.3f", e.From, e.To,
						e.Count, e.Profiles, e.MedianSeconds, e.P90Seconds, want.count, len(want.cases), med, p90)
				}
			}
		})
	}
}

// said is one feedback event with a known message id, and the feedback
// item the feedback engine makes of it (nil when there is none, as for an
// activity or a response's earlier step).
type said struct {
	id, user, anon, event string
	at                    time.Duration
	props                 string
	item                  *touchpoint.Feedback
}

// text is the item of a piece of feedback whose text the models read.
func text(kind, sentiment string, score float64, topics ...string) *touchpoint.Feedback {
	if topics == nil {
		topics = []string{}
	}
	return &touchpoint.Feedback{Kind: kind, Source: kind, Sentiment: sentiment, SentimentScore: &score, Topics: topics, Complete: true, Flags: []string{}}
}

// loadSaid appends the events in one batch and their feedback items as
// the feedback engine would: each item names the event it was made from.
func loadSaid(t *testing.T, w *duckdb.Warehouse, seq uint64, events []said) {
	t.Helper()
	var batch []touchpoint.Event
	var items []*touchpoint.Feedback
	for _, e := range events {
		ev := touchpoint.Event{ID: e.id, Workspace: "default", Type: touchpoint.TypeTrack, Event: e.event, UserID: e.user, AnonymousID: e.anon,
			Channel: "web", Timestamp: t0.Add(e.at), ReceivedAt: t0.Add(e.at)}
		if e.props != "" {
			ev.Properties = []byte(e.props)
		}
		batch = append(batch, ev)
		if e.item != nil {
			it := *e.item
			it.ID, it.Workspace, it.EventID, it.UserID, it.AnonymousID, it.CreatedAt = "fb_"+e.id, "default", e.id, e.user, e.anon, t0.Add(e.at)
			if id := responseID(e.props); id != "" {
				it.ID = "fb_" + id
			}
			items = append(items, &it)
		}
	}
	ctx := context.Background()
	if err := w.Apply(ctx, tplog.Batch{Events: batch, LastSequence: seq}); err != nil {
		t.Fatal(err)
	}
	if err := w.ApplyFeedback(ctx, items, seq); err != nil {
		t.Fatal(err)
	}
}

func responseID(props string) string {
	var p struct {
		ResponseID string `json:"response_id"`
	}
	json.Unmarshal([]byte(props), &p)
	return p.ResponseID
}

// cxFixture is a small history of feedback whose place on the map is
// worked out by hand in TestJourneyMapSentiment:
//
//	ann  Order Delivered; a ticket 1h later (−0.8, delivery); an NPS 3 in
//	     two steps at 2h, whose comment reads −0.6 (delivery, price)
//	bob  Call Completed; a ticket 30m later (+0.9, customer_service)
//	cat  Order Delivered on a device (dev-c) before signing in; a review
//	     as cat 1h later (+0.5, product_quality): on the map only once
//	     identity resolution links the device to cat
//	dan  Order Delivered; an NPS 10 without a comment at 3h
var cxFixture = []said{
	{id: "ann-1", user: "ann", event: "Order Delivered"},
	{id: "ann-tk", user: "ann", event: "Feedback Received", at: time.Hour, props: `{"kind":"ticket"}`,
		item: text("ticket", "negative", -0.8, "delivery")},
	{id: "ann-r1a", user: "ann", event: "Survey Responded", at: 2 * time.Hour,
		props: `{"survey_type":"nps","score":3,"max_score":10,"response_id":"r1","complete":false}`},
	{id: "ann-r1b", user: "ann", event: "Survey Responded", at: 2*time.Hour + time.Minute,
		props: `{"survey_type":"nps","score":3,"max_score":10,"response_id":"r1","comment":"late and too dear"}`,
		item:  text("survey", "negative", -0.6, "delivery", "price")},
	{id: "bob-1", user: "bob", event: "Call Completed"},
	{id: "bob-tk", user: "bob", event: "Feedback Received", at: 30 * time.Minute, props: `{"kind":"ticket"}`,
		item: text("ticket", "positive", 0.9, "customer_service")},
	{id: "cat-1", anon: "dev-c", event: "Order Delivered"},
	{id: "cat-rv", user: "cat", event: "Feedback Received", at: time.Hour, props: `{"kind":"review"}`,
		item: text("review", "positive", 0.5, "product_quality")},
	{id: "dan-1", user: "dan", event: "Order Delivered"},
	{id: "dan-r2", user: "dan", event: "Survey Responded", at: 3 * time.Hour, props: `{"survey_type":"nps","score":10,"max_score":10,"response_id":"r2"}`},
}

func TestJourneyMapSentiment(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	loadSaid(t, w, 1, cxFixture)
	mapIdentity(t, w, [3]string{"user_id", "ann", "prf_ann"}, [3]string{"user_id", "bob", "prf_bob"}, [3]string{"user_id", "dan", "prf_dan"},
		[3]string{"user_id", "cat", "prf_cat"}, [3]string{"anonymous_id", "dev-c", "prf_dev"})
	nodes := func(r touchpoint.JourneyMapRequest) map[string]touchpoint.JourneyNode {
		t.Helper()
		r.Scope.Workspace = "default"
		m, err := w.JourneyMap(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]touchpoint.JourneyNode{}
		for _, n := range m.Nodes {
			out[n.ID] = n
		}
		return out
	}
	sentiment := func(n touchpoint.JourneyNode) touchpoint.NodeSentiment {
		t.Helper()
		if n.CX == nil || n.CX.Sentiment == nil {
			t.Fatalf("no sentiment on %q: %+v", n.ID, n.CX)
		}
		return *n.CX.Sentiment
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

	t.Run("Apart", func(t *testing.T) {
		// cat's review follows nothing of cat's yet: it is on no node.
		got := nodes(touchpoint.JourneyMapRequest{})
		od := sentiment(got["Order Delivered"])
		want := touchpoint.NodeSentiment{Items: 2, Negative: 2, Topics: []touchpoint.NodeTopic{
			{Topic: "delivery", Items: 2, Negative: 2}, {Topic: "price", Items: 1, Negative: 1}}}
		if !near(od.Average, -0.7) {
			t.Errorf("average %v, want (−0.8 − 0.6) / 2", od.Average)
		}
		od.Average = 0
		if !reflect.DeepEqual(od, want) {
			t.Errorf("Order Delivered: %+v, want %+v", od, want)
		}
		// ann's answer counts once, though sent in two steps, beside dan's.
		if cx := got["Order Delivered"].CX; cx.NPSResponses != 2 || cx.NPS == nil || *cx.NPS != 0 {
			t.Errorf("NPS on Order Delivered: %d answers, %v; want one detractor and one promoter", cx.NPSResponses, cx.NPS)
		}
		cc := sentiment(got["Call Completed"])
		if cc.Items != 1 || !near(cc.Average, 0.9) || cc.Positive != 1 || !reflect.DeepEqual(cc.Topics, []touchpoint.NodeTopic{{Topic: "customer_service", Items: 1}}) {
			t.Errorf("Call Completed: %+v", cc)
		}
		// Feedback is never the touchpoint of other feedback.
		for _, id := range []string{"Feedback Received", "Survey Responded"} {
			if got[id].CX != nil {
				t.Errorf("%s has CX %+v", id, got[id].CX)
			}
		}
	})
	t.Run("Merged", func(t *testing.T) {
		mapIdentity(t, w, [3]string{"anonymous_id", "dev-c", "prf_cat"})
		od := sentiment(nodes(touchpoint.JourneyMapRequest{})["Order Delivered"])
		if od.Items != 3 || od.Positive != 1 || od.Negative != 2 || !near(od.Average, (-0.8-0.6+0.5)/3) {
			t.Errorf("after the merge: %+v, want cat's review too", od)
		}
		if want := (touchpoint.NodeTopic{Topic: "product_quality", Items: 1}); len(od.Topics) != 3 || od.Topics[2] != want {
			t.Errorf("topics %+v, want product_quality last (ties by name)", od.Topics)
		}
	})
	t.Run("Range", func(t *testing.T) {
		// Up to 90 minutes: the two items of the first hour, not ann's answer.
		from, to := t0.Add(-time.Hour), t0.Add(90*time.Minute)
		od := sentiment(nodes(touchpoint.JourneyMapRequest{Scope: touchpoint.Scope{From: &from, To: &to}})["Order Delivered"])
		if od.Items != 2 || !near(od.Average, (-0.8+0.5)/2) {
			t.Errorf("in range: %+v", od)
		}
	})
	t.Run("Stages", func(t *testing.T) {
		got := nodes(touchpoint.JourneyMapRequest{Stages: map[string]string{"Order Delivered": "delivery", "Call Completed": "support", "Feedback Received": "feedback"}})
		if s := sentiment(got["delivery"]); s.Items != 3 {
			t.Errorf("delivery stage: %+v", s)
		}
		if s := sentiment(got["support"]); s.Items != 1 || s.Positive != 1 {
			t.Errorf("support stage: %+v", s)
		}
	})
	t.Run("Unmerged", func(t *testing.T) {
		mapIdentity(t, w, [3]string{"anonymous_id", "dev-c", "prf_dev"})
		if od := sentiment(nodes(touchpoint.JourneyMapRequest{})["Order Delivered"]); od.Items != 2 {
			t.Errorf("after the unmerge: %+v, want cat's review gone again", od)
		}
	})
}
