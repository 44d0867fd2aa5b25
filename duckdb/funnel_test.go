package duckdb_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

// refEvent is one activity of a customer in the reference funnel.
type refEvent struct {
	id, act, channel string
	t                time.Time
}

// refFunnel computes a funnel the plain way, customer by customer, from
// the definition: every step-1 event in range starts an attempt, which
// moves on to the first event of the next step after its current one
// (loose) or to the very next activity if it is the step (strict), while
// within the window of its start. A customer is at a step when one of
// their attempts is, with the times of the earliest such attempt.
func refFunnel(paths map[string][]refEvent, r touchpoint.FunnelRequest, limit int) []touchpoint.FunnelStepResult {
	window := r.WindowDuration
	onChannel := func(e refEvent) bool {
		if len(r.Channels) == 0 {
			return true
		}
		for _, c := range r.Channels {
			if c == e.channel {
				return true
			}
		}
		return false
	}
	type times struct{ dt, dt0 int64 }
	reached := make([]map[string]times, len(r.Steps))
	for k := range reached {
		reached[k] = map[string]times{}
	}
	for profile, path := range paths {
		for s, start := range path {
			if start.act != r.Steps[0].Event || !onChannel(start) || (r.From != nil && start.t.Before(*r.From)) || (r.To != nil && !start.t.Before(*r.To)) {
				continue
			}
			if _, ok := reached[0][profile]; !ok {
				reached[0][profile] = times{}
			}
			cur := s
			for k := 1; k < len(r.Steps); k++ {
				next := -1
				for i := cur + 1; i < len(path); i++ {
					if path[i].act == r.Steps[k].Event && onChannel(path[i]) {
						next = i
						break
					}
					if r.Order == touchpoint.OrderStrict {
						break
					}
				}
				if next < 0 || path[next].t.Sub(start.t) > window {
					break
				}
				if _, ok := reached[k][profile]; !ok { // attempts go in start order: the first is the earliest
					reached[k][profile] = times{path[next].t.Sub(path[cur].t).Microseconds(), path[next].t.Sub(start.t).Microseconds()}
				}
				cur = next
			}
		}
	}
	median := func(xs []int64) *float64 {
		if len(xs) == 0 {
			return nil
		}
		sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
		m := float64(xs[len(xs)/2])
		if len(xs)%2 == 0 {
			m = (float64(xs[len(xs)/2-1]) + m) / 2
		}
		m /= 1e6
		return &m
	}
	var out []touchpoint.FunnelStepResult
	for k := range r.Steps {
		res := touchpoint.FunnelStepResult{Event: r.Steps[k].Event, Count: int64(len(reached[k])), DroppedProfiles: []string{}}
		if k > 0 {
			var dt, dt0 []int64
			for _, v := range reached[k] {
				dt, dt0 = append(dt, v.dt), append(dt0, v.dt0)
			}
			res.MedianSeconds, res.MedianSecondsFromStart = median(dt), median(dt0)
			res.Dropped = int64(len(reached[k-1]) - len(reached[k]))
			for p := range reached[k-1] {
				if _, ok := reached[k][p]; !ok {
					res.DroppedProfiles = append(res.DroppedProfiles, p)
				}
			}
			sort.Strings(res.DroppedProfiles)
			if len(res.DroppedProfiles) > limit {
				res.DroppedProfiles = res.DroppedProfiles[:limit]
			}
		}
		out = append(out, res)
	}
	return out
}

// TestFunnelAgainstReference compares funnels with refFunnel on a random
// history with repeated activities, ties in time and two channels.
func TestFunnelAgainstReference(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	rng := rand.New(rand.NewPCG(6, 1))
	paths := map[string][]refEvent{}
	var batch []touchpoint.Event
	acts := []string{"A", "A", "B", "B", "C", "D"}
	for c := range 300 {
		user := fmt.Sprintf("c%03d", c)
		for range 5 + rng.IntN(25) {
			// Half hours over two weeks, few enough that some coincide.
			e := refEvent{id: fmt.Sprintf("r%06d", len(batch)), act: acts[rng.IntN(len(acts))], channel: []string{"web", "app"}[rng.IntN(2)],
				t: t0.Add(time.Duration(rng.IntN(14*24*2)) * 30 * time.Minute)}
			paths["user_id:"+user] = append(paths["user_id:"+user], e)
			batch = append(batch, touchpoint.Event{ID: e.id, Workspace: "default", Type: touchpoint.TypeTrack, Event: e.act, UserID: user,
				Channel: e.channel, Timestamp: e.t, ReceivedAt: e.t})
		}
	}
	// A path is in time order, then message id (all came in one batch).
	for _, path := range paths {
		sort.Slice(path, func(i, j int) bool {
			if !path[i].t.Equal(path[j].t) {
				return path[i].t.Before(path[j].t)
			}
			return path[i].id < path[j].id
		})
	}
	if err := w.Apply(ctx, tplog.Batch{Events: batch, LastSequence: 1}); err != nil {
		t.Fatal(err)
	}
	mapIdentity(t, w)
	from, to := t0.Add(4*24*time.Hour), t0.Add(9*24*time.Hour)
	const limit = 4
	for _, names := range [][]string{{"A", "B", "C"}, {"A", "A", "B"}, {"B", "A", "D", "A"}} {
		for _, order := range []string{touchpoint.OrderLoose, touchpoint.OrderStrict} {
			for _, channels := range [][]string{nil, {"web"}} {
				for _, ranged := range []bool{false, true} {
					r := touchpoint.FunnelRequest{Scope: touchpoint.Scope{Workspace: "default", Channels: channels}, Steps: steps(names...),
						Window: "3d", Order: order, DropOffLimit: limit}
					if ranged {
						r.From, r.To = &from, &to
					}
					name := fmt.Sprintf("%v/%s/%v/ranged=%v", names, order, channels, ranged)
					got, err := w.Funnel(ctx, r)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if err := r.Validate(); err != nil {
						t.Fatal(err)
					}
					want := refFunnel(paths, r, limit)
					for i := range want {
						g, e := got.Steps[i], want[i]
						if g.Count != e.Count || g.Dropped != e.Dropped || !reflect.DeepEqual(g.DroppedProfiles, e.DroppedProfiles) ||
							!sameSeconds(g.MedianSeconds, e.MedianSeconds) || !sameSeconds(g.MedianSecondsFromStart, e.MedianSecondsFromStart) {
							t.Errorf("%s step %d: got %d (dropped %d %v, medians %v %v), want %d (dropped %d %v, medians %v %v)", name, i+1,
								g.Count, g.Dropped, g.DroppedProfiles, show(g.MedianSeconds), show(g.MedianSecondsFromStart),
								e.Count, e.Dropped, e.DroppedProfiles, show(e.MedianSeconds), show(e.MedianSecondsFromStart))
						}
					}
					if got.Steps[len(names)-1].Count == 0 {
						t.Errorf("%s: nobody reached the last step; the history should be denser", name)
					}
				}
			}
		}
	}
}

func sameSeconds(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) < 1e-6
}

func show(x *float64) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *x)
}
