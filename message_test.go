package touchpoint_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/touchpoint-cx/touchpoint"
)

var received = touchpoint.Received{
	At:     time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC),
	IP:     "198.51.100.4",
	Source: &touchpoint.Source{ID: "src_1", Workspace: "default", Name: "Web", Type: "web"},
}

func normalize(t *testing.T, body string, typ touchpoint.EventType) (touchpoint.Event, error) {
	t.Helper()
	c, err := touchpoint.ParseCall([]byte(body))
	if err != nil {
		return touchpoint.Event{}, err
	}
	return c.Normalize(typ, received)
}

func TestNormalize(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ev, err := normalize(t, `{"userId":"u1","event":"Order Completed","messageId":"m1","properties":{"revenue":42},"context":{"locale":"vi-VN"}}`, touchpoint.TypeTrack)
		if err != nil {
			t.Fatal(err)
		}
		if ev.ID != "m1" || ev.Workspace != "default" || ev.SourceID != "src_1" || ev.Channel != "web" || ev.Type != touchpoint.TypeTrack {
			t.Fatalf("unexpected event %+v", ev)
		}
		var ctx map[string]any
		if err := json.Unmarshal(ev.Context, &ctx); err != nil {
			t.Fatal(err)
		}
		if ctx["ip"] != "198.51.100.4" || ctx["locale"] != "vi-VN" {
			t.Fatalf("context = %s, want ip added and locale kept", ev.Context)
		}
		if !ev.Timestamp.Equal(received.At) || !ev.OriginalTimestamp.IsZero() {
			t.Fatalf("timestamp %v / original %v: want receivedAt and none", ev.Timestamp, ev.OriginalTimestamp)
		}
	})

	t.Run("ClockSkewCorrected", func(t *testing.T) {
		// The client's clock is 1 hour fast: it says it sent at 13:00:05 an
		// event from 13:00:00. The event happened 5 s before it arrived.
		ev, err := normalize(t, `{"userId":"u1","event":"x","timestamp":"2026-11-22T13:00:00Z","sentAt":"2026-11-22T13:00:05.000Z"}`, touchpoint.TypeTrack)
		if err != nil {
			t.Fatal(err)
		}
		want := received.At.Add(-5 * time.Second)
		if !ev.Timestamp.Equal(want) {
			t.Fatalf("timestamp = %v, want %v", ev.Timestamp, want)
		}
		if got := ev.OriginalTimestamp.Format(time.RFC3339); got != "2026-11-22T13:00:00Z" {
			t.Fatalf("originalTimestamp = %s", got)
		}
	})

	t.Run("HistoricalTimestampKeptWithoutSentAt", func(t *testing.T) {
		ev, err := normalize(t, `{"userId":"u1","event":"x","timestamp":"2024-01-02T03:04:05+07:00"}`, touchpoint.TypeTrack)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Timestamp.Format(time.RFC3339) != "2024-01-01T20:04:05Z" {
			t.Fatalf("timestamp = %v", ev.Timestamp)
		}
	})

	t.Run("NumericUserID", func(t *testing.T) {
		ev, err := normalize(t, `{"userId":42,"traits":{"email":"a@b.co"}}`, touchpoint.TypeIdentify)
		if err != nil {
			t.Fatal(err)
		}
		if ev.UserID != "42" {
			t.Fatalf("userId = %q", ev.UserID)
		}
	})

	t.Run("ChannelFromContext", func(t *testing.T) {
		ev, err := normalize(t, `{"userId":"u","event":"Call Completed","context":{"channel":"call centre"}}`, touchpoint.TypeTrack)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Channel != touchpoint.ChannelCallCenter {
			t.Fatalf("channel = %q", ev.Channel)
		}
	})

	for _, tt := range []struct {
		name, body string
		typ        touchpoint.EventType
		code       string
		field      string
	}{
		{"ErrMalformedJSON", `{"userId":`, touchpoint.TypeTrack, touchpoint.EINVALID, ""},
		{"ErrNotAnObject", `[1,2]`, touchpoint.TypeTrack, touchpoint.EINVALID, ""},
		{"ErrMissingIdentity", `{"event":"x"}`, touchpoint.TypeTrack, touchpoint.EINVALID, "userId"},
		{"ErrMissingEvent", `{"userId":"u"}`, touchpoint.TypeTrack, touchpoint.EINVALID, "event"},
		{"ErrAliasWithoutPreviousId", `{"userId":"u"}`, touchpoint.TypeAlias, touchpoint.EINVALID, "previousId"},
		{"ErrGroupWithoutGroupId", `{"userId":"u"}`, touchpoint.TypeGroup, touchpoint.EINVALID, "groupId"},
		{"ErrBadTimestamp", `{"userId":"u","event":"x","timestamp":"yesterday"}`, touchpoint.TypeTrack, touchpoint.EINVALID, "timestamp"},
		{"ErrBadSentAt", `{"userId":"u","event":"x","sentAt":"2026-13-40"}`, touchpoint.TypeTrack, touchpoint.EINVALID, "sentAt"},
		{"ErrTimestampOutOfRange", `{"userId":"u","event":"x","timestamp":"1066-10-14T09:00:00Z"}`, touchpoint.TypeTrack, touchpoint.EINVALID, "timestamp"},
		{"ErrPropertiesNotObject", `{"userId":"u","event":"x","properties":[1]}`, touchpoint.TypeTrack, touchpoint.EINVALID, "properties"},
		{"ErrEventWrongType", `{"userId":"u","event":5}`, touchpoint.TypeTrack, touchpoint.EINVALID, "event"},
		{"ErrUnknownType", `{"userId":"u","type":"purchase"}`, "", touchpoint.EINVALID, "type"},
		{"ErrTooLarge", `{"userId":"u","event":"x","properties":{"p":"` + strings.Repeat("a", touchpoint.MaxEventBytes) + `"}}`, touchpoint.TypeTrack, touchpoint.ETOOLARGE, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := normalize(t, tt.body, tt.typ)
			if touchpoint.ErrorCode(err) != tt.code {
				t.Fatalf("got %v, want code %s", err, tt.code)
			}
			if touchpoint.ErrorField(err) != tt.field {
				t.Fatalf("field = %q, want %q (%v)", touchpoint.ErrorField(err), tt.field, err)
			}
			if tt.field != "" && !strings.HasPrefix(touchpoint.ErrorMessage(err), tt.field+":") {
				t.Fatalf("message %q does not name the field %s", touchpoint.ErrorMessage(err), tt.field)
			}
		})
	}
}

func TestBatch(t *testing.T) {
	t.Run("KeepsValidItemsAndNamesRejected", func(t *testing.T) {
		b, err := touchpoint.ParseBatch([]byte(`{"sentAt":"2026-11-22T12:00:00Z","batch":[
			{"type":"track","userId":"u1","event":"A","messageId":"a"},
			{"type":"track","userId":"u1","messageId":"b"},
			{"type":"nope","userId":"u1"},
			{"type":"identify","anonymousId":"x","traits":{"plan":"pro"},"timestamp":"2026-11-22T11:59:00Z"}
		]}`))
		if err != nil {
			t.Fatal(err)
		}
		events, rejected := b.Events(received)
		if len(events) != 2 || events[0].ID != "a" || events[1].Type != touchpoint.TypeIdentify {
			t.Fatalf("events = %+v", events)
		}
		// The batch's sentAt applies to items: 1 minute before sending.
		if !events[1].Timestamp.Equal(received.At.Add(-time.Minute)) {
			t.Fatalf("item timestamp = %v", events[1].Timestamp)
		}
		if len(rejected) != 2 || rejected[0].Index != 1 || rejected[0].MessageID != "b" || rejected[0].Error.Field != "batch[1].event" || rejected[1].Index != 2 || rejected[1].Error.Field != "batch[2].type" {
			t.Fatalf("rejected = %+v", rejected)
		}
		if !strings.HasPrefix(rejected[0].Error.Message, "batch[1].event:") {
			t.Fatalf("message = %q", rejected[0].Error.Message)
		}
	})
	t.Run("ErrMissingBatch", func(t *testing.T) {
		_, err := touchpoint.ParseBatch([]byte(`{"writeKey":"k"}`))
		if touchpoint.ErrorField(err) != "batch" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		_, err := touchpoint.ParseBatch([]byte(`{"batch":[` + strings.Repeat(" ", touchpoint.MaxBatchBytes) + `]}`))
		if touchpoint.ErrorCode(err) != touchpoint.ETOOLARGE {
			t.Fatalf("got %v", err)
		}
	})
}

// FuzzDecode feeds arbitrary bodies through the decoder: it must never
// panic, and whatever it accepts must be a well-formed event.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"userId":"u1","event":"Order Completed","properties":{"revenue":1}}`,
		`{"type":"identify","anonymousId":7,"traits":{"email":"a@b.c"},"context":{}}`,
		`{"batch":[{"type":"track","userId":"u","event":"e"},{"type":"alias","userId":"n","previousId":"o"}],"sentAt":"2026-01-01T00:00:00Z"}`,
		`{"userId":"u","event":"x","timestamp":"2026-11-22T10:00:00.000+07:00","sentAt":"2026-11-22T10:00:01Z","context":{ }}`,
		`{"userId":null,"anonymousId":"","event":""}`,
		`{"batch":null}`,
		`[]`, `"x"`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, err := touchpoint.ParseCall(data); err == nil {
			ev, err := c.Normalize("", received)
			if err == nil {
				checkEvent(t, ev)
			} else if touchpoint.ErrorCode(err) == touchpoint.EINTERNAL {
				t.Fatalf("internal error for user input: %v", err)
			}
		} else if touchpoint.ErrorCode(err) == touchpoint.EINTERNAL {
			t.Fatalf("internal error for user input: %v", err)
		}
		if b, err := touchpoint.ParseBatch(data); err == nil {
			events, rejected := b.Events(received)
			if len(events)+len(rejected) != len(b.Items) {
				t.Fatalf("%d events + %d rejected != %d items", len(events), len(rejected), len(b.Items))
			}
			for _, ev := range events {
				checkEvent(t, ev)
			}
		}
	})
}

func checkEvent(t *testing.T, ev touchpoint.Event) {
	t.Helper()
	if !ev.Type.Valid() || ev.ID == "" || ev.Timestamp.IsZero() || ev.Channel == "" {
		t.Fatalf("accepted a malformed event: %+v", ev)
	}
	if ev.UserID == "" && ev.AnonymousID == "" {
		t.Fatalf("accepted an event without identity: %+v", ev)
	}
	for _, raw := range [][]byte{ev.Properties, ev.Traits, ev.Context, ev.Integrations} {
		if len(raw) > 0 && (!json.Valid(raw) || raw[0] != '{') {
			t.Fatalf("accepted a non-object: %s", raw)
		}
	}
	// The log encodes with AppendJSON and decodes with go-json; stores parse with other
	// parsers: what is accepted must encode to one line of standard JSON
	// that decodes back to the same event.
	line := ev.AppendJSON(nil)
	if !json.Valid(line) || bytes.ContainsAny(line, "\n\r") {
		t.Fatalf("log line is not one line of valid JSON: %q", line)
	}
	var back touchpoint.Event
	if err := gojson.Unmarshal(line, &back); err != nil || back.ID != ev.ID || !back.Timestamp.Equal(ev.Timestamp) {
		t.Fatalf("log line does not decode back: %v", err)
	}
}

func TestContextIP(t *testing.T) {
	for _, tt := range []struct{ name, ctx, want string }{
		{"Absent", `{"locale":"th-TH"}`, "198.51.100.4"},
		{"Empty", `{"ip":"","locale":"th-TH"}`, "198.51.100.4"},
		{"Null", `{"ip":null}`, "198.51.100.4"},
		{"Kept", `{"ip":"192.0.2.9"}`, "192.0.2.9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := normalize(t, `{"userId":"u","event":"x","context":`+tt.ctx+`}`, touchpoint.TypeTrack)
			if err != nil {
				t.Fatal(err)
			}
			var ctx map[string]any
			if err := json.Unmarshal(ev.Context, &ctx); err != nil {
				t.Fatalf("context %s: %v", ev.Context, err)
			}
			if ctx["ip"] != tt.want {
				t.Fatalf("ip = %v, want %s (context %s)", ctx["ip"], tt.want, ev.Context)
			}
		})
	}
}

func TestLogEncoding(t *testing.T) {
	// Pretty-printed input must not put line breaks into the log, whose
	// messages are newline-delimited.
	ev, err := normalize(t, "{\"userId\":\"u\",\"event\":\"x\",\n \"properties\": {\n  \"a\": [1,\n 2],\n  \"s\": \"line\\nbreak\"\n },\n \"context\": {\"ip\": \"192.0.2.1\"\n}}", touchpoint.TypeTrack)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(&ev)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(string(b), "\n\r") {
		t.Fatalf("encoded event spans lines: %s", b)
	}
	if _, err := normalize(t, "{\"userId\":\"u\",\"event\":\"x\",\"properties\":{\"a\":\"\xff\"}}", touchpoint.TypeTrack); touchpoint.ErrorField(err) != "properties" {
		t.Fatalf("invalid UTF-8 in properties: %v", err)
	}
}

func TestBatchContext(t *testing.T) {
	b, err := touchpoint.ParseBatch([]byte(`{"context":{"library":{"name":"analytics-go","version":"3.3.0"},"locale":"en-US"},"batch":[
		{"type":"track","userId":"u","event":"A"},
		{"type":"track","userId":"u","event":"B","context":{"locale":"th-TH"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	events, rejected := b.Events(received)
	if len(rejected) > 0 || len(events) != 2 {
		t.Fatalf("events %v rejected %v", events, rejected)
	}
	for i, want := range []string{"en-US", "th-TH"} {
		var ctx struct {
			Locale  string
			Library struct{ Name string }
		}
		if err := json.Unmarshal(events[i].Context, &ctx); err != nil {
			t.Fatal(err)
		}
		if ctx.Locale != want || ctx.Library.Name != "analytics-go" {
			t.Fatalf("item %d context %s", i, events[i].Context)
		}
	}
	if _, err := touchpoint.ParseBatch([]byte(`{"context":[1],"batch":[]}`)); touchpoint.ErrorField(err) != "context" {
		t.Fatalf("batch context not an object: %v", err)
	}
}
