package touchpoint_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

func TestAppendJSON(t *testing.T) {
	ts := time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC)
	for _, ev := range []touchpoint.Event{
		{ID: "m1", Workspace: "default", Type: touchpoint.TypeTrack, Event: "Order \"Completed\"\n\t\x01", UserID: "ü-ß-ẞ-ประเทศ-سلام",
			Timestamp: ts, OriginalTimestamp: ts.Add(-time.Second), SentAt: ts, ReceivedAt: ts.Add(time.Second),
			Properties: json.RawMessage("{\n\"a\": [1, 2]}"), Context: json.RawMessage(`{"ip":"1.2.3.4"}`)},
		{ID: "m2", Workspace: "w", Type: touchpoint.TypeAlias, UserID: "n", PreviousID: "o", Timestamp: ts, ReceivedAt: ts},
	} {
		line := ev.AppendJSON(nil)
		if !json.Valid(line) {
			t.Fatalf("invalid JSON: %s", line)
		}
		var std []byte
		std, _ = json.Marshal(&ev)
		var a, b touchpoint.Event
		if err := json.Unmarshal(line, &a); err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(std, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("AppendJSON decodes to\n%+v\nencoding/json to\n%+v", a, b)
		}
	}
}

// TestComputedTraitsJSON checks the hand-written encoding reads back, with
// encoding/json, as what was written.
func TestComputedTraitsJSON(t *testing.T) {
	nps := 9
	at := time.Date(2026, 11, 2, 3, 4, 5, 600, time.UTC)
	for _, c := range []touchpoint.ComputedTraits{
		{},
		{FirstSeen: at, LastSeen: at.Add(time.Hour), Events: 3, EventsByName: map[string]int64{"Order \"Completed\"\n": 2, "ü": 1},
			EventsByChannel: map[string]int64{"web": 3}, Orders: 2, Revenue: 12.345, LastOrderAt: at, LastNPS: &nps, LastNPSAt: at},
		{EventsByName: map[string]int64{}, Revenue: 1e21},
	} {
		b := c.AppendJSON(nil)
		var got touchpoint.ComputedTraits
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		want, _ := json.Marshal(c)
		again, _ := json.Marshal(got)
		if string(want) != string(again) {
			t.Fatalf("round trip:\n%s\n%s\nfrom %s", want, again, b)
		}
	}
}
