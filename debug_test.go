package touchpoint_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

func TestDebugRing(t *testing.T) {
	t.Run("NewestFirstBoundedPerWorkspace", func(t *testing.T) {
		d := touchpoint.NewDebugRing(3)
		for i := 1; i <= 5; i++ {
			d.Record(touchpoint.DebugCall{Workspace: "a", MessageID: fmt.Sprint(i), Accepted: i%2 == 0})
		}
		d.Record(touchpoint.DebugCall{Workspace: "b", MessageID: "b1"})
		got := d.Recent("a", touchpoint.DebugFilter{})
		if len(got) != 3 || got[0].MessageID != "5" || got[2].MessageID != "3" {
			t.Fatalf("recent = %v", got)
		}
		if n := len(d.Recent("b", touchpoint.DebugFilter{})); n != 1 {
			t.Fatalf("workspace b has %d calls", n)
		}
		if n := len(d.Recent("c", touchpoint.DebugFilter{})); n != 0 {
			t.Fatalf("unknown workspace has %d calls", n)
		}
		after := d.Recent("a", touchpoint.DebugFilter{After: got[1].Seq})
		if len(after) != 1 || after[0].MessageID != "5" {
			t.Fatalf("after %d = %v", got[1].Seq, after)
		}
		yes := true
		rej := d.Recent("a", touchpoint.DebugFilter{Rejected: &yes})
		if len(rej) != 2 || rej[0].MessageID != "5" || rej[1].MessageID != "3" {
			t.Fatalf("rejected = %v", rej)
		}
		if lim := d.Recent("a", touchpoint.DebugFilter{Limit: 1}); len(lim) != 1 {
			t.Fatalf("limit 1 = %v", lim)
		}
	})
	t.Run("LargePayloadCut", func(t *testing.T) {
		d := touchpoint.NewDebugRing(0)
		d.Record(touchpoint.DebugCall{Workspace: "a", Payload: strings.Repeat("x", touchpoint.MaxDebugPayload+10)})
		if p := d.Recent("a", touchpoint.DebugFilter{})[0].Payload; len(p) > touchpoint.MaxDebugPayload+4 {
			t.Fatalf("payload kept at %d bytes", len(p))
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		d := touchpoint.NewDebugRing(50)
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 200; i++ {
					d.Record(touchpoint.DebugCall{Workspace: "a"}, touchpoint.DebugCall{Workspace: "a"})
					d.Recent("a", touchpoint.DebugFilter{Limit: 5})
				}
			}()
		}
		wg.Wait()
		got := d.Recent("a", touchpoint.DebugFilter{})
		if len(got) != 50 || got[0].Seq != 3200 {
			t.Fatalf("%d calls, newest seq %d", len(got), got[0].Seq)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Seq >= got[i-1].Seq {
				t.Fatalf("not newest first at %d", i)
			}
		}
	})
}

// BenchmarkDebugRing measures what the event debugger adds to each
// accepted event on the collection path: recording it in a batch of 100.
func BenchmarkDebugRing(b *testing.B) {
	d := touchpoint.NewDebugRing(0)
	ev := &touchpoint.Event{ID: "m", Workspace: "a", Type: touchpoint.TypeTrack, Event: "Order Completed"}
	batch := make([]touchpoint.DebugCall, 100)
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch {
			batch[i] = touchpoint.DebugCall{Workspace: "a", Path: "/v1/batch", Type: "track", MessageID: "m", Accepted: true, Event: ev}
		}
		d.Record(batch...)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/event")
}
