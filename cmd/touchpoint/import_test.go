package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint/httpapi"
)

const ndjsonHistory = `{"type":"identify","userId":"h1","traits":{"email":"h1@example.com"},"timestamp":"2025-03-01T10:00:00Z","messageId":"h-1"}
{"type":"track","userId":"h1","event":"Order Completed","properties":{"revenue":19.9},"timestamp":"2025-03-02T11:00:00Z","messageId":"h-2"}
{"type":"track","userId":"h1","event":"Order Completed","timestamp":"not a time","messageId":"h-3"}
{"type":"track","event":"No one","timestamp":"2025-03-02T11:00:00Z"}
{"type":"page","anonymousId":"v9","name":"Home","timestamp":"2025-03-03T12:00:00Z"}
`

const csvHistory = `customer_id,action,ordered_at,amount,store
c1,Order Completed,2025-04-01T09:00:00Z,25.5,Hanoi
c1,Order Completed,2025-04-02T09:00:00Z,12,Hanoi
,Order Completed,2025-04-03T09:00:00Z,7,Bangkok
c2,Order Completed,yesterday,7,Bangkok
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImport imports NDJSON and CSV history, first into a data directory
// no server holds, then through a running server, then over the API.
func TestImport(t *testing.T) {
	dir, keys := initDir(t)
	nd := writeFile(t, "history.ndjson", ndjsonHistory)
	csvPath := writeFile(t, "orders.csv", csvHistory)

	t.Run("OfflineNDJSON", func(t *testing.T) {
		// Two rows are bad but three are good: the command succeeds.
		out, err := tp(t, "import", "--data", dir, "--json", nd)
		if err != nil {
			t.Fatal(err)
		}
		var sum struct {
			Rows, Accepted, Rejected int
			Errors                   []struct {
				Line    int
				Message string
			}
		}
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if sum.Rows != 5 || sum.Accepted != 3 || sum.Rejected != 2 || len(sum.Errors) != 2 || sum.Errors[0].Line != 3 || !strings.Contains(sum.Errors[0].Message, "timestamp") || sum.Errors[1].Line != 4 {
			t.Fatalf("summary %s", out)
		}
	})

	s := start(t, dir, keys)
	c := s.client()
	s.caughtUp()
	events, err := c.Events(context.Background(), httpapi.EventsQuery{UserID: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Event != "Order Completed" || events[0].Timestamp.Format(time.RFC3339) != "2025-03-02T11:00:00Z" {
		t.Fatalf("imported events %+v", events)
	}

	t.Run("CSVThroughRunningServer", func(t *testing.T) {
		out, err := tp(t, "import", csvPath, "--data", dir, "--map", "userId=customer_id,event=action,timestamp=ordered_at,properties.revenue=amount")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "4 rows: 2 accepted, 2 rejected") || !strings.Contains(out, "line 4") || !strings.Contains(out, "line 5") {
			t.Fatalf("output:\n%s", out)
		}
		s.caughtUp()
		events, err := c.Events(context.Background(), httpapi.EventsQuery{UserID: "c1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 {
			t.Fatalf("c1 has %d events", len(events))
		}
		var props map[string]any
		json.Unmarshal(events[0].Properties, &props)
		if props["revenue"] != 12.0 || props["store"] != "Hanoi" || events[0].Timestamp.Format(time.RFC3339) != "2025-04-02T09:00:00Z" {
			t.Fatalf("imported row: %s at %v", events[0].Properties, events[0].Timestamp)
		}
	})

	t.Run("ReimportAddsNothing", func(t *testing.T) {
		before := s.caughtUp().EventsTotal
		if _, err := tp(t, "import", "--data", dir, nd); err != nil {
			t.Fatal(err)
		}
		if _, err := tp(t, "import", "--data", dir, "--map", "userId=customer_id,event=action,timestamp=ordered_at,properties.revenue=amount", csvPath); err != nil {
			t.Fatal(err)
		}
		if after := s.caughtUp().EventsTotal; after != before {
			t.Fatalf("re-import changed events_total %d -> %d", before, after)
		}
	})

	t.Run("API", func(t *testing.T) {
		sum, err := c.Import(context.Background(), strings.NewReader("user_id,event,timestamp\napi1,Ticket Created,1735689600000\n"), httpapi.ImportOptions{Format: "csv"})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Accepted != 1 || sum.Rejected != 0 {
			t.Fatalf("summary %+v", sum)
		}
		s.caughtUp()
		events, _ := c.Events(context.Background(), httpapi.EventsQuery{UserID: "api1"})
		if len(events) != 1 || events[0].Timestamp.Format(time.RFC3339) != "2025-01-01T00:00:00Z" {
			t.Fatalf("events %+v", events)
		}
	})

	t.Run("ErrUnknownMappedColumn", func(t *testing.T) {
		_, err := c.Import(context.Background(), strings.NewReader(csvHistory), httpapi.ImportOptions{Format: "csv", Mapping: "userId=nope"})
		if err == nil || !strings.Contains(err.Error(), "nope") {
			t.Fatalf("got %v", err)
		}
	})
	s.stop()
}

// TestRebuildAnalytics throws the analytics store away and rebuilds it from
// the log: the same events come back.
func TestRebuildAnalytics(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	for i := 0; i < 5; i++ {
		if code, body := s.post("/v1/batch", keys.WriteKey, `{"batch":[{"type":"track","userId":"rb","event":"A","messageId":"rb-`+string(rune('a'+i))+`"},{"type":"identify","userId":"rb","traits":{"n":1}}]}`); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
	}
	want := s.caughtUp()
	s.stop()

	t.Run("ErrWhileServing", func(t *testing.T) {
		s := start(t, dir, keys)
		if _, err := tp(t, "rebuild", "analytics", "--data", dir); err == nil || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("rebuild while serving: %v", err)
		}
		s.stop()
	})

	out, err := tp(t, "rebuild", "analytics", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "10 events") {
		t.Fatalf("rebuild printed %q", out)
	}
	s = start(t, dir, keys)
	got := s.caughtUp()
	if got.EventsTotal != want.EventsTotal || got.ProfilesTotal != want.ProfilesTotal {
		t.Fatalf("after rebuild %+v, before %+v", got, want)
	}
	s.stop()
}

// TestDemo loads a small demo data set and checks it is served.
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	out, err := tp(t, "demo", "--data", dir, "--customers", "300", "--days", "30", "--load-only")
	if err != nil {
		t.Fatal(err)
	}
	var keys InitResult
	for _, line := range strings.Split(out, "\n") {
		if k, ok := strings.CutPrefix(line, "admin key: "); ok {
			keys.AdminKey = k
		}
	}
	if keys.AdminKey == "" {
		t.Fatalf("demo printed no admin key:\n%s", out)
	}
	s := start(t, dir, keys)
	st := s.caughtUp()
	if st.EventsTotal < 3000 || st.ProfilesTotal < 300 {
		t.Fatalf("demo stats %+v", st)
	}
	srcs, err := s.client().Sources(context.Background(), false)
	if err != nil || len(srcs) < 8 {
		t.Fatalf("demo sources %d, %v", len(srcs), err)
	}
	s.stop()
}
