package bench

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	ddb "github.com/duckdb/duckdb-go/v2"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	"github.com/touchpoint-cx/touchpoint/identity"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

// JourneySteps are the twenty touchpoints every synthetic customer walks
// through in order, each losing some customers; the 4- and 20-step funnels
// of the benchmark use them.
var JourneySteps = []string{
	"Ad Clicked", "Landing Viewed", "Signed Up", "Email Verified", "Profile Completed",
	"Product Viewed", "Product Added", "Cart Viewed", "Checkout Started", "Shipping Entered",
	"Payment Info Entered", "Order Completed", "Order Shipped", "Order Delivered", "Product Reviewed",
	"Support Contacted", "Ticket Resolved", "Survey Responded", "Referral Sent", "Subscription Renewed",
}

// noise are the events customers send between journey steps.
var noise = []string{"Page Viewed", "Products Searched", "Email Opened", "Application Opened", "Notification Received", "Wishlist Viewed"}

var channels = []string{touchpoint.ChannelWeb, touchpoint.ChannelApp, touchpoint.ChannelEmail, touchpoint.ChannelStore, touchpoint.ChannelSupport}

// AnalyticsDataConfig sizes a synthetic analytics data set.
type AnalyticsDataConfig struct {
	Events int       // total events (default 10,000,000)
	Seed   uint64    // the same seed gives the same data set
	End    time.Time // events fall in the 180 days before End
	// Progress, if set, gets a line per million events.
	Progress io.Writer
}

// AnalyticsData is what GenerateAnalyticsData wrote.
type AnalyticsData struct {
	Events    int
	Profiles  int
	Start     time.Time
	End       time.Time
	Generated time.Duration
}

// GenerateAnalyticsData appends a synthetic event history to w, through
// the warehouse's own appender, and fills identity_map the way identity
// resolution does: most customers have a user id and one or two anonymous
// devices, one in five never signs in, and one in twenty profiles was
// merged into another.
func GenerateAnalyticsData(ctx context.Context, w *duckdb.Warehouse, cfg AnalyticsDataConfig) (AnalyticsData, error) {
	if cfg.Events <= 0 {
		cfg.Events = 10_000_000
	}
	if cfg.End.IsZero() {
		cfg.End = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	start := cfg.End.AddDate(0, 0, -180)
	out := AnalyticsData{Start: start, End: cfg.End}
	began := time.Now()
	rng := rand.New(rand.NewPCG(cfg.Seed, 7))
	customers := cfg.Events / 20
	out.Profiles = customers

	// identity_map first, through one appender.
	conn, err := w.DB().Conn(ctx)
	if err != nil {
		return out, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		a, err := ddb.NewAppenderFromConn(dc.(driver.Conn), "", "identity_map")
		if err != nil {
			return err
		}
		for i := 0; i < customers; i++ {
			row := fmt.Sprintf("prf_%d", i)
			profile := row
			if i > 0 && i%20 == 0 {
				profile = fmt.Sprintf("prf_%d", i-1) // merged into the previous customer
			}
			if i%5 != 0 {
				if err := a.AppendRow("default", "user_id", fmt.Sprintf("u_%d", i), row, profile); err != nil {
					return err
				}
			}
			for d := 0; d < 1+i%2; d++ {
				if err := a.AppendRow("default", "anonymous_id", fmt.Sprintf("a_%d_%d", i, d), row, profile); err != nil {
					return err
				}
			}
		}
		return a.Close()
	})
	if err != nil {
		return out, fmt.Errorf("identity map: %w", err)
	}
	// The map is written above in bulk, beside the feed; an empty batch
	// records the change sequence the feed would have saved with it, which
	// is how analytics knows the map changed.
	if err := w.ApplyIdentityMap(ctx, identity.MapBatch{LastSeq: 1}); err != nil {
		return out, fmt.Errorf("identity map: %w", err)
	}

	props := make([][]byte, 50)
	for i := range props {
		props[i] = fmt.Appendf(nil, `{"value":%d,"plan":"%s"}`, 10+i*7, []string{"free", "pro", "business"}[i%3])
	}
	batch := make([]touchpoint.Event, 0, 50_000)
	var seq uint64
	flush := func() error {
		seq++
		err := w.Apply(ctx, tplog.Batch{Events: batch, LastSequence: seq})
		batch = batch[:0]
		return err
	}
	span := cfg.End.Sub(start)
	for i := 0; out.Events < cfg.Events; i = (i + 1) % customers {
		n := 10 + rng.IntN(21) // 10–30 events, 20 on average
		if n > cfg.Events-out.Events {
			n = cfg.Events - out.Events
		}
		t := start.Add(time.Duration(rng.Int64N(int64(span) * 3 / 4)))
		step := 0
		user := ""
		if i%5 != 0 {
			user = fmt.Sprintf("u_%d", i)
		}
		for k := 0; k < n; k++ {
			t = t.Add(time.Duration(30+rng.IntN(6*3600)) * time.Second)
			if rng.IntN(10) == 0 {
				t = t.Add(time.Duration(rng.IntN(72)) * time.Hour)
			}
			name := noise[rng.IntN(len(noise))]
			if step < len(JourneySteps) && rng.IntN(100) < 55 {
				name = JourneySteps[step]
				if rng.IntN(100) < 92 {
					step++
				} else {
					step = len(JourneySteps) // dropped out of the journey
				}
			}
			ev := touchpoint.Event{
				ID: fmt.Sprintf("e%d", out.Events), Workspace: "default", Type: touchpoint.TypeTrack, Event: name,
				Channel: channels[rng.IntN(len(channels))], Timestamp: t, ReceivedAt: t,
				Properties: props[rng.IntN(len(props))],
			}
			// Before signing up, and on a second device, customers are anonymous.
			if user != "" && (step > 2 || rng.IntN(4) == 0) {
				ev.UserID = user
			}
			if ev.UserID == "" || rng.IntN(3) == 0 {
				ev.AnonymousID = fmt.Sprintf("a_%d_%d", i, rng.IntN(1+i%2))
			}
			batch = append(batch, ev)
			out.Events++
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return out, err
				}
				if cfg.Progress != nil && out.Events%1_000_000 == 0 {
					fmt.Fprintf(cfg.Progress, "generated %d events\n", out.Events)
				}
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return out, err
		}
	}
	out.Generated = time.Since(began)
	return out, nil
}
