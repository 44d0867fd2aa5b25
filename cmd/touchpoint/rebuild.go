package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	"github.com/touchpoint-cx/touchpoint/identity"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/sqlite"
)

func runRebuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rebuild", stderr, "rebuild analytics --data DIR")
	config := commonFlags(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] != "analytics" {
		fs.Usage()
		return touchpoint.Errorf(touchpoint.EINVALID, "say what to rebuild: touchpoint rebuild analytics --data DIR")
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	res, err := rebuildAnalytics(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rebuilt analytics from %d log messages: %d events in %s\n", res.messages, res.events, res.took.Round(time.Millisecond))
	return nil
}

type rebuildResult struct {
	messages uint64
	events   int64
	took     time.Duration
}

// rebuildAnalytics replays the whole log into a new DuckDB file and swaps
// it in only when complete: an interrupted rebuild leaves the old file as
// it was.
func rebuildAnalytics(ctx context.Context, cfg Config) (rebuildResult, error) {
	start := time.Now()
	if _, err := os.Stat(filepath.Join(cfg.Data, stateFile)); err != nil {
		return rebuildResult{}, touchpoint.Errorf(touchpoint.ENOTFOUND, "%s is not a Touchpoint data directory", cfg.Data)
	}
	lock, err := lockDataDir(cfg.Data)
	if err != nil {
		return rebuildResult{}, err
	}
	defer lock.Close()
	logger := cfg.logger(io.Discard)
	l, err := tplog.Open(ctx, cfg.logConfig(), logger)
	if err != nil {
		return rebuildResult{}, fmt.Errorf("open log: %w", err)
	}
	defer l.Close()
	head, err := l.LastSequence(ctx)
	if err != nil {
		return rebuildResult{}, err
	}

	final := filepath.Join(cfg.Data, analyticsFile)
	tmp := final + ".rebuild"
	for _, p := range []string{tmp, tmp + ".wal"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return rebuildResult{}, fmt.Errorf("remove stale rebuild: %w", err)
		}
	}
	w, err := duckdb.Open(ctx, tmp)
	if err != nil {
		return rebuildResult{}, err
	}
	if head > 0 {
		cctx, cancel := context.WithCancel(ctx)
		var applyErr error
		err = l.Consume(cctx, tplog.ConsumerConfig{Name: "rebuild", MaxEvents: 50000, MaxWait: 50 * time.Millisecond}, func(ctx context.Context, b tplog.Batch) error {
			if err := w.Apply(ctx, b); err != nil {
				applyErr = err
				cancel()
				return err
			}
			if b.LastSequence >= head {
				cancel()
			}
			return nil
		})
		cancel()
		if err == nil {
			err = applyErr
		}
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
	}
	if err == nil {
		// The identity map and profile traits come from the state store.
		var state *sqlite.DB
		if state, err = sqlite.Open(ctx, filepath.Join(cfg.Data, stateFile), touchpoint.SystemClock{}); err == nil {
			err = identity.NewFeed(state, w, logger).CatchUp(ctx)
			state.Close()
		}
	}
	var stats touchpoint.Stats
	if err == nil {
		seq, cerr := w.Checkpoint(ctx)
		if cerr == nil && seq < head {
			cerr = fmt.Errorf("rebuild stopped at log sequence %d of %d", seq, head)
		}
		err = cerr
	}
	if err == nil {
		stats, err = w.TotalEvents(ctx)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return rebuildResult{}, fmt.Errorf("rebuild analytics: %w", err)
	}
	os.Remove(final + ".wal")
	if err := os.Rename(tmp, final); err != nil {
		return rebuildResult{}, fmt.Errorf("rebuild analytics: %w", err)
	}
	return rebuildResult{messages: head, events: stats.EventsTotal, took: time.Since(start)}, nil
}
