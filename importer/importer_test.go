package importer_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/importer"
)

var src = &touchpoint.Source{ID: "src_import", Workspace: "default", Name: "Import", Type: "import"}

func now() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }

// run imports input and returns the summary and every event the sink got.
func run(t *testing.T, input string, opts importer.Options) (importer.Summary, []touchpoint.Event, error) {
	t.Helper()
	opts.Source, opts.Now = src, now
	var got []touchpoint.Event
	sum, err := importer.Import(context.Background(), strings.NewReader(input), opts, func(_ context.Context, evs []touchpoint.Event) error {
		got = append(got, evs...)
		return nil
	})
	return sum, got, err
}

func TestNDJSON(t *testing.T) {
	t.Run("KeepsGoodLinesAndNamesBadOnes", func(t *testing.T) {
		input := "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"A\",\"timestamp\":\"2025-01-02T03:04:05Z\"}\r\n" +
			"\n" +
			"{\"type\":\"track\",\"userId\":\n" +
			"{\"type\":\"identify\",\"anonymousId\":\"a1\",\"traits\":{\"plan\":\"pro\"}}\n" +
			"{\"type\":\"track\",\"event\":\"no one\"}\n" +
			"{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"B\",\"timestamp\":\"soon\"}"
		sum, got, err := run(t, input, importer.Options{Format: importer.NDJSON})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Rows != 5 || sum.Accepted != 2 || sum.Rejected != 3 || len(got) != 2 {
			t.Fatalf("summary %+v, %d events", sum, len(got))
		}
		lines := [3]int{sum.Errors[0].Line, sum.Errors[1].Line, sum.Errors[2].Line}
		if lines != [3]int{3, 5, 6} {
			t.Fatalf("error lines %v, want 3 5 6", lines)
		}
		if sum.Errors[2].Field != "timestamp" || !strings.Contains(sum.Errors[2].Message, "soon") {
			t.Fatalf("error %+v", sum.Errors[2])
		}
		if got[0].Timestamp.Format(time.RFC3339) != "2025-01-02T03:04:05Z" || got[0].SourceID != "src_import" {
			t.Fatalf("event %+v", got[0])
		}
		if sum.Reasons["timestamp: invalid time (want ISO 8601, e.g. 2026-11-22T10:00:00.000Z)"] != 1 {
			t.Fatalf("reasons %v", sum.Reasons)
		}
	})
	t.Run("BatchEnvelopeLine", func(t *testing.T) {
		sum, got, err := run(t, `{"batch":[{"type":"track","userId":"u","event":"A"},{"type":"track","userId":"u"}]}`, importer.Options{Format: importer.NDJSON})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Rows != 2 || sum.Accepted != 1 || len(got) != 1 || sum.Errors[0].Field != "batch[1].event" || sum.Errors[0].Line != 1 {
			t.Fatalf("summary %+v", sum)
		}
	})
	t.Run("OversizedLineSkipped", func(t *testing.T) {
		big := `{"type":"track","userId":"u","event":"A","properties":{"p":"` + strings.Repeat("x", touchpoint.MaxBatchBytes+10) + `"}}`
		sum, got, err := run(t, big+"\n"+`{"type":"track","userId":"u","event":"B"}`, importer.Options{Format: importer.NDJSON})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Rejected != 1 || sum.Errors[0].Code != touchpoint.ETOOLARGE || len(got) != 1 || got[0].Event != "B" {
			t.Fatalf("summary %+v", sum)
		}
	})
	t.Run("DefaultTypeForLinesWithout", func(t *testing.T) {
		_, got, err := run(t, `{"userId":"u","traits":{"a":1}}`, importer.Options{Format: importer.NDJSON, Type: touchpoint.TypeIdentify})
		if err != nil || len(got) != 1 || got[0].Type != touchpoint.TypeIdentify {
			t.Fatalf("%v %+v", err, got)
		}
	})
	t.Run("StableIDs", func(t *testing.T) {
		line := `{"type":"track","userId":"u","event":"A","timestamp":"2025-01-02T03:04:05Z"}`
		_, a, _ := run(t, line, importer.Options{Format: importer.NDJSON})
		_, b, _ := run(t, line, importer.Options{Format: importer.NDJSON})
		_, c, _ := run(t, `{"type":"track","userId":"u","event":"A","messageId":"given"}`, importer.Options{Format: importer.NDJSON})
		if a[0].ID != b[0].ID || !strings.HasPrefix(a[0].ID, "imp-") || c[0].ID != "given" {
			t.Fatalf("ids %s %s %s", a[0].ID, b[0].ID, c[0].ID)
		}
	})
}

func TestCSV(t *testing.T) {
	t.Run("ExplicitMapping", func(t *testing.T) {
		m, err := importer.ParseMapping("userId=customer,event=action,timestamp=when,properties.revenue=amount,context.campaign.name=utm")
		if err != nil {
			t.Fatal(err)
		}
		input := "customer,action,when,amount,utm,zip\nc1,Order Completed,2025-04-01T09:00:00Z,25.50,spring,00501\n"
		sum, got, err := run(t, input, importer.Options{Format: importer.CSV, Mapping: m})
		if err != nil || sum.Accepted != 1 {
			t.Fatalf("%v %+v", err, sum)
		}
		ev := got[0]
		var props map[string]any
		json.Unmarshal(ev.Properties, &props)
		if ev.UserID != "c1" || ev.Event != "Order Completed" || props["revenue"] != 25.5 || props["zip"] != "00501" {
			t.Fatalf("event %+v props %v", ev, props)
		}
		var ctx struct{ Campaign struct{ Name string } }
		json.Unmarshal(ev.Context, &ctx)
		if ctx.Campaign.Name != "spring" {
			t.Fatalf("context %s", ev.Context)
		}
	})
	t.Run("AutoMappingAndTypedValues", func(t *testing.T) {
		input := "user_id,event,timestamp,paid,count,note\nu1,Signed Up,1735689600,true,3,hello\n"
		_, got, err := run(t, input, importer.Options{Format: importer.CSV})
		if err != nil || len(got) != 1 {
			t.Fatalf("%v %+v", err, got)
		}
		var props map[string]any
		json.Unmarshal(got[0].Properties, &props)
		if got[0].UserID != "u1" || got[0].Timestamp.Format(time.RFC3339) != "2025-01-01T00:00:00Z" || props["paid"] != true || props["count"] != 3.0 || props["note"] != "hello" {
			t.Fatalf("event %+v props %v", got[0], props)
		}
	})
	t.Run("IdentifyUnmappedToTraits", func(t *testing.T) {
		_, got, err := run(t, "userId,email,plan\nu1,a@b.co,pro\n", importer.Options{Format: importer.CSV, Type: touchpoint.TypeIdentify})
		if err != nil || len(got) != 1 || string(got[0].Traits) != `{"email":"a@b.co","plan":"pro"}` {
			t.Fatalf("%v %+v", err, got)
		}
	})
	t.Run("TimeFormatAndMilliseconds", func(t *testing.T) {
		input := "userId,event,timestamp\nu,A,22/11/2026 10:30\nu,B,1735689600000\n"
		_, got, err := run(t, input, importer.Options{Format: importer.CSV, TimeFormat: "02/01/2006 15:04"})
		if err != nil || len(got) != 2 || got[0].Timestamp.Format(time.RFC3339) != "2026-11-22T10:30:00Z" || got[1].Timestamp.Format(time.RFC3339) != "2025-01-01T00:00:00Z" {
			t.Fatalf("%v %+v", err, got)
		}
	})
	t.Run("BadRowsNamed", func(t *testing.T) {
		input := "customer,action,when\nc1,A,2025-01-01T00:00:00Z\nc2,B\n,C,2025-01-01T00:00:00Z\nc3,D,yesterday\nc4,E,2025-01-01T00:00:00Z\n"
		sum, got, err := run(t, input, importer.Options{Format: importer.CSV, Mapping: importer.Mapping{"userId": "customer", "event": "action", "timestamp": "when"}})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Rows != 5 || sum.Accepted != 2 || len(got) != 2 || sum.Rejected != 3 {
			t.Fatalf("summary %+v", sum)
		}
		if e := sum.Errors[0]; e.Line != 3 || !strings.Contains(e.Message, "2 fields") {
			t.Fatalf("ragged row error %+v", e)
		}
		if e := sum.Errors[1]; e.Line != 4 || e.Field != "customer" || !strings.Contains(e.Message, `column "customer" (userId)`) {
			t.Fatalf("missing id error %+v", e)
		}
		if e := sum.Errors[2]; e.Line != 5 || e.Field != "when" || !strings.Contains(e.Message, "yesterday") {
			t.Fatalf("bad time error %+v", e)
		}
	})
	t.Run("ErrUnknownColumn", func(t *testing.T) {
		_, got, err := run(t, "a,b\n1,2\n", importer.Options{Format: importer.CSV, Mapping: importer.Mapping{"userId": "nope"}})
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID || !strings.Contains(err.Error(), "nope") || len(got) != 0 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		_, _, err := run(t, "", importer.Options{Format: importer.CSV})
		if touchpoint.ErrorField(err) != "header" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("Tabs", func(t *testing.T) {
		_, got, err := run(t, "userId\tevent\nu\tA\n", importer.Options{Format: importer.CSV, Delimiter: '\t'})
		if err != nil || len(got) != 1 {
			t.Fatalf("%v %+v", err, got)
		}
	})
}

func TestParseMapping(t *testing.T) {
	m, err := importer.ParseMapping("user_id=c, Event = action ,traits.email=mail")
	if err != nil || m["userId"] != "c" || m["event"] != "action" || m["traits.email"] != "mail" {
		t.Fatalf("%v %v", m, err)
	}
	for _, bad := range []string{"userId", "nothing=x", "userId=a,userId=b", "properties.=x"} {
		if _, err := importer.ParseMapping(bad); touchpoint.ErrorField(err) != "map" {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}

func TestDetectFormat(t *testing.T) {
	for _, tt := range []struct {
		name, head string
		want       importer.Format
	}{
		{"a.ndjson", "", importer.NDJSON}, {"a.CSV", "", importer.CSV}, {"", `{"type":"track"}`, importer.NDJSON}, {"", "a,b,c\n1,2,3", importer.CSV},
	} {
		got, err := importer.DetectFormat(tt.name, []byte(tt.head))
		if err != nil || got != tt.want {
			t.Fatalf("%+v: %v %v", tt, got, err)
		}
	}
	if _, err := importer.DetectFormat("x.bin", []byte("hello")); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
		t.Fatalf("got %v", err)
	}
}

func TestSink(t *testing.T) {
	input := strings.Repeat(`{"type":"track","userId":"u","event":"A"}`+"\n", 7)
	t.Run("Batches", func(t *testing.T) {
		var sizes []int
		sum, err := importer.Import(context.Background(), strings.NewReader(input), importer.Options{Format: importer.NDJSON, BatchSize: 3, Now: now},
			func(_ context.Context, evs []touchpoint.Event) error { sizes = append(sizes, len(evs)); return nil })
		if err != nil || sum.Accepted != 7 || len(sizes) != 3 || sizes[0] != 3 || sizes[2] != 1 {
			t.Fatalf("%v %+v %v", err, sum, sizes)
		}
	})
	t.Run("ErrorStops", func(t *testing.T) {
		calls := 0
		sum, err := importer.Import(context.Background(), strings.NewReader(input), importer.Options{Format: importer.NDJSON, BatchSize: 3, Now: now},
			func(_ context.Context, evs []touchpoint.Event) error {
				calls++
				if calls == 2 {
					return errors.New("log down")
				}
				return nil
			})
		if err == nil || !strings.Contains(err.Error(), "log down") || sum.Accepted != 3 {
			t.Fatalf("%v %+v", err, sum)
		}
	})
}

// FuzzNDJSON and FuzzCSV feed arbitrary files to the importer: it must not
// panic, must account for every row, and must only pass valid events on.
func FuzzNDJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"track","userId":"u","event":"A"}`,
		"{\"type\":\"identify\",\"userId\":1}\n\n{\"batch\":[{\"type\":\"alias\",\"userId\":\"a\",\"previousId\":\"b\"}]}\r\n",
		"{\"type\":\n}", "\ufeff{}", "{\"batch\":7}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data, importer.Options{Format: importer.NDJSON})
	})
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"userId,event,timestamp\nu,A,2025-01-01T00:00:00Z\n",
		"user_id,event,properties.a.b,traits.x\nu,\"A,B\",1,true\n",
		"a\n\"unterminated\n", "userId,event\n,\n", "\ufeffuserId;event\nu;A\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data, importer.Options{Format: importer.CSV})
	})
}

func check(t *testing.T, data []byte, opts importer.Options) {
	opts.Source, opts.Now = src, now
	n := 0
	sum, err := importer.Import(context.Background(), strings.NewReader(string(data)), opts, func(_ context.Context, evs []touchpoint.Event) error {
		for _, ev := range evs {
			if !ev.Type.Valid() || ev.ID == "" || (ev.UserID == "" && ev.AnonymousID == "") {
				t.Fatalf("invalid event passed on: %+v", ev)
			}
			if line := ev.AppendJSON(nil); !json.Valid(line) {
				t.Fatalf("event does not encode: %s", line)
			}
		}
		n += len(evs)
		return nil
	})
	if err != nil && touchpoint.ErrorCode(err) == touchpoint.EINTERNAL {
		t.Fatalf("internal error on user input: %v", err)
	}
	if sum.Accepted+sum.Rejected != sum.Rows || sum.Accepted != n {
		t.Fatalf("summary %+v does not add up (%d events)", sum, n)
	}
}
