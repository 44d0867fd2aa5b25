package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

// AnalyticsConfig sets how often the server prepares analytics in the
// background. Queries never wait for it: each brings what it reads up to
// date first, so these only make the first query after a burst quicker.
type AnalyticsConfig struct {
	// JourneyRefresh is how often new events and identity changes are
	// folded into the journey tables (default 10s; 0 turns it off).
	JourneyRefresh string `json:"journey_refresh"`
	// ScoresRefresh is how often churn and lifetime-value scores are
	// recomputed for every profile (default 24h; 0 turns it off).
	ScoresRefresh string `json:"scores_refresh"`
}

// durations parses the two intervals. Returns EINVALID naming the key.
func (a AnalyticsConfig) durations() (journeys, scores time.Duration, err error) {
	parse := func(key, v string) (time.Duration, error) {
		if v == "" || v == "0" {
			return 0, nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return 0, touchpoint.FieldError(key, "must be a duration of at least 1s (e.g. 10s, 24h), or 0 to turn it off")
		}
		return d, nil
	}
	if journeys, err = parse("analytics.journey_refresh", a.JourneyRefresh); err != nil {
		return 0, 0, err
	}
	scores, err = parse("analytics.scores_refresh", a.ScoresRefresh)
	return journeys, scores, err
}

// runAnalytics keeps the journey tables and the stored scores fresh until
// ctx ends. Scores are first computed a minute after start, so a fresh
// server has them soon, then every scores interval.
func (n *node) runAnalytics(ctx context.Context) {
	journeys, scores, _ := n.cfg.Analytics.durations() // validated with the config
	var jt, st <-chan time.Time
	if journeys > 0 {
		t := time.NewTicker(journeys)
		defer t.Stop()
		jt = t.C
	}
	var scoresTimer *time.Timer
	if scores > 0 {
		scoresTimer = time.NewTimer(time.Minute)
		defer scoresTimer.Stop()
		st = scoresTimer.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-jt:
			if err := n.warehouse.RefreshJourneys(ctx); err != nil && ctx.Err() == nil {
				n.logger.Warn("refresh journeys", "err", err)
			}
		case <-st:
			n.refreshScores(ctx)
			scoresTimer.Reset(scores)
		}
	}
}

// refreshScores recomputes every workspace's scores.
func (n *node) refreshScores(ctx context.Context) {
	wss, err := n.state.ListWorkspaces(ctx)
	if err != nil {
		n.logger.Warn("refresh scores", "err", err)
		return
	}
	for _, ws := range wss {
		res, err := n.warehouse.RefreshScores(ctx, ws.ID, n.clock.Now())
		if err != nil {
			if ctx.Err() == nil {
				n.logger.Warn("refresh scores", "workspace", ws.ID, "err", err)
			}
			continue
		}
		n.logger.Info("scores refreshed", "workspace", ws.ID, "profiles", res.Profiles, "churn_auc", res.ChurnAUC, "skipped", res.Skipped)
	}
}

// runScores implements `touchpoint scores refresh`: through the running
// server if there is one, otherwise on the data directory itself.
func runScores(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("scores", stderr, "scores refresh --data DIR")
	config := commonFlags(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "refresh" {
		fs.Usage()
		return touchpoint.Errorf(touchpoint.EINVALID, "say what to do: touchpoint scores refresh")
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	var res *touchpoint.ScoresRefresh
	if si, ok := runningServer(ctx, cfg.Data); ok {
		if res, err = httpapi.NewClient("http://"+si.Addr, si.LocalKey).RefreshScores(ctx); err != nil {
			return err
		}
	} else {
		n, err := openNode(ctx, cfg, cfg.logger(stderr))
		if err != nil {
			return err
		}
		defer n.close()
		// Score what the log holds, not only what analytics had applied.
		if err := n.startConsumers(ctx); err != nil {
			return err
		}
		if err := n.waitCaughtUp(ctx); err != nil {
			return err
		}
		if res, err = n.warehouse.RefreshScores(ctx, touchpoint.DefaultWorkspace, n.clock.Now()); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return nil
}
