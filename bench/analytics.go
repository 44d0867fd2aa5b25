package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
)

// AnalyticsConfig sets up an analytics benchmark.
type AnalyticsConfig struct {
	// File is the DuckDB file; it is generated when missing and reused
	// when present, so a second run measures at once.
	File   string
	Events int
	// Runs is how many times each query runs; the median is reported.
	Runs     int
	Progress io.Writer
}

// AnalyticsTiming is one measured query.
type AnalyticsTiming struct {
	Name    string
	Target  time.Duration // 0 when there is none
	Median  time.Duration
	Fastest time.Duration
	Answer  string
}

// AnalyticsResult is what one run measured.
type AnalyticsResult struct {
	Events    int64
	Profiles  int64
	Generated time.Duration // 0 when the file was reused
	Prepared  time.Duration // building the journey tables from scratch
	Timings   []AnalyticsTiming
}

func (r AnalyticsResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d events, %d profiles", r.Events, r.Profiles)
	if r.Generated > 0 {
		fmt.Fprintf(&b, " (generated in %s)", r.Generated.Round(time.Second))
	}
	if r.Prepared > 0 {
		fmt.Fprintf(&b, "; journey tables built in %s", r.Prepared.Round(time.Millisecond))
	}
	b.WriteString("\n")
	for _, t := range r.Timings {
		target := ""
		if t.Target > 0 {
			verdict := "met"
			if t.Median > t.Target {
				verdict = "MISSED"
			}
			target = fmt.Sprintf("  (target ≤ %s: %s)", t.Target, verdict)
		}
		fmt.Fprintf(&b, "%-34s median %7.3f s  fastest %7.3f s%s\n   %s\n", t.Name, t.Median.Seconds(), t.Fastest.Seconds(), target, t.Answer)
	}
	return b.String()
}

// Analytics measures customer journey analytics on a synthetic history of
// cfg.Events events: the funnels, paths, journey map and retention grid
// the performance targets name, each through the same code the API runs.
func Analytics(ctx context.Context, cfg AnalyticsConfig) (AnalyticsResult, error) {
	var res AnalyticsResult
	if cfg.Runs <= 0 {
		cfg.Runs = 5
	}
	_, statErr := os.Stat(cfg.File)
	w, err := duckdb.Open(ctx, cfg.File)
	if err != nil {
		return res, err
	}
	defer w.Close()
	if os.IsNotExist(statErr) {
		d, err := GenerateAnalyticsData(ctx, w, AnalyticsDataConfig{Events: cfg.Events, Progress: cfg.Progress})
		if err != nil {
			return res, err
		}
		res.Generated = d.Generated
		start := time.Now()
		if err := w.RefreshJourneys(ctx); err != nil {
			return res, err
		}
		res.Prepared = time.Since(start)
	}
	if err := w.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events), (SELECT count(DISTINCT pnum) FROM journey_events)`).Scan(&res.Events, &res.Profiles); err != nil {
		return res, err
	}
	scope := touchpoint.Scope{Workspace: "default"}
	steps := func(n int) []touchpoint.FunnelStep {
		var out []touchpoint.FunnelStep
		for _, s := range JourneySteps[:n] {
			out = append(out, touchpoint.FunnelStep{Event: s})
		}
		return out
	}
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	from := end.AddDate(0, 0, -84)
	cases := []struct {
		name   string
		target time.Duration
		run    func() (string, error)
	}{
		{"4-step funnel, 7-day window", 500 * time.Millisecond, func() (string, error) {
			f, err := w.Funnel(ctx, touchpoint.FunnelRequest{Scope: scope, Steps: steps(4), Window: "7d"})
			return funnelAnswer(f), err
		}},
		{"20-step funnel, 30-day window", 2 * time.Second, func() (string, error) {
			f, err := w.Funnel(ctx, touchpoint.FunnelRequest{Scope: scope, Steps: steps(20), Window: "30d"})
			return funnelAnswer(f), err
		}},
		{"next 5 events after Cart Viewed", 0, func() (string, error) {
			p, err := w.Paths(ctx, touchpoint.PathsRequest{Scope: scope, Event: "Cart Viewed", Steps: 5})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d customers, top sequence %v ×%d, %d Sankey nodes", p.Profiles, p.Sequences[0].Events, p.Sequences[0].Count, len(p.Nodes)), nil
		}},
		{"journey map, all history", 2 * time.Second, func() (string, error) {
			m, err := w.JourneyMap(ctx, touchpoint.JourneyMapRequest{Scope: scope})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d customers, %d nodes, %d edges, %d variants", m.Profiles, len(m.Nodes), len(m.Edges), len(m.Variants)), nil
		}},
		{"journey map, last 12 weeks", 2 * time.Second, func() (string, error) {
			m, err := w.JourneyMap(ctx, touchpoint.JourneyMapRequest{Scope: touchpoint.Scope{Workspace: "default", From: &from, To: &end}})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d customers, %d nodes, %d edges", m.Profiles, len(m.Nodes), len(m.Edges)), nil
		}},
		{"12-week retention", time.Second, func() (string, error) {
			r, err := w.Retention(ctx, touchpoint.RetentionRequest{Scope: touchpoint.Scope{Workspace: "default", From: &from, To: &end},
				StartEvent: "Signed Up", Period: touchpoint.PeriodWeek, Periods: 12})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d cohorts, %d customers, week-1 rate %.3f", len(r.Cohorts), r.Total.Size, rate(r.Total, 1)), nil
		}},
	}
	for _, c := range cases {
		t := AnalyticsTiming{Name: c.name, Target: c.target}
		var times []time.Duration
		for i := 0; i < cfg.Runs; i++ {
			start := time.Now()
			ans, err := c.run()
			if err != nil {
				return res, fmt.Errorf("%s: %w", c.name, err)
			}
			times = append(times, time.Since(start))
			t.Answer = ans
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		t.Median, t.Fastest = times[len(times)/2], times[0]
		res.Timings = append(res.Timings, t)
	}
	return res, nil
}

func rate(c touchpoint.RetentionCohort, k int) float64 {
	if k < len(c.Rates) {
		return c.Rates[k]
	}
	return 0
}

func funnelAnswer(f *touchpoint.FunnelResponse) string {
	if f == nil {
		return ""
	}
	var parts []string
	for _, s := range f.Steps {
		parts = append(parts, fmt.Sprint(s.Count))
	}
	return "customers per step: " + strings.Join(parts, " → ")
}
