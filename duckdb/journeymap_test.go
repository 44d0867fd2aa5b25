package duckdb_test

import (
	"context"
	"encoding/csv"
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
