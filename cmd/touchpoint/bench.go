package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/bench"
	"github.com/touchpoint-cx/touchpoint/text"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", stderr, "bench ingest [--url URL --write-key KEY] [--duration 10s]\n       touchpoint bench identity [--profiles 1000000] [--events 500000]\n       touchpoint bench text [--sentiment-data DIR]\n       touchpoint bench analytics [--events 10000000] [--file PATH] [--runs 5]\n       touchpoint bench journeys [--customers 1000000] [--probes 1000]")
	url := fs.String("url", "", "`URL` of a running server (default: start one on a temporary data directory)")
	writeKey := fs.String("write-key", "", "write `key` for --url")
	duration := fs.Duration("duration", 10*time.Second, "measured time per scenario")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time before each scenario")
	batchConc := fs.Int("batch-concurrency", 16, "clients sending batches of 100")
	singleConc := fs.Int("single-concurrency", 128, "clients sending single events")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to `file`")
	only := fs.String("only", "", "run one scenario: batch or single")
	profiles := fs.Int("profiles", 1000000, "identity: customers loaded before measuring")
	events := fs.Int("events", 500000, "identity: events resolved while measuring")
	sentimentData := fs.String("sentiment-data", defaultSentimentData(), "text: `folder` with the labelled sets <lang>.train.tsv")
	analyticsFile := fs.String("file", "", "analytics: DuckDB `file` to generate, or reuse when it exists (default: a temporary one)")
	runs := fs.Int("runs", 5, "analytics: runs of each query (the median is reported)")
	consumers := fs.Bool("consumers", true, "run the analytics consumer beside ingest (false measures the collection path alone)")
	customers := fs.Int("customers", 1000000, "journeys: customers entering the journey")
	probes := fs.Int("probes", 1000, "journeys: events timed from collection to webhook (0 skips)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if len(rest) == 1 && rest[0] == "journeys" {
		return benchJourneys(ctx, stdout, stderr, *customers, *probes)
	}
	if len(rest) == 1 && rest[0] == "text" {
		return textEval(ctx, stdout, *sentimentData, strings.Join(text.Languages(), ","))
	}
	if len(rest) == 1 && rest[0] == "identity" {
		return benchIdentity(ctx, stdout, stderr, *profiles, *events)
	}
	if len(rest) == 1 && rest[0] == "analytics" {
		n := *events
		if !flagSet(fs, "events") {
			n = 10_000_000
		}
		return benchAnalytics(ctx, stdout, stderr, *analyticsFile, n, *runs)
	}
	if len(rest) != 1 || rest[0] != "ingest" {
		fs.Usage()
		return touchpoint.Errorf(touchpoint.EINVALID, "say what to measure: touchpoint bench ingest|identity|text|analytics|journeys")
	}
	base, key := *url, *writeKey
	var logSeq func() uint64 // the log's head, when the server is in this process
	if base == "" {
		dir, err := os.MkdirTemp("", "touchpoint-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg := DefaultConfig()
		cfg.Data, cfg.Addr, cfg.LogLevel = dir, "127.0.0.1:0", "warn"
		keys, err := initDataDir(ctx, dir, DefaultAdminEmail)
		if err != nil {
			return err
		}
		n, err := openNode(ctx, cfg, cfg.logger(stderr))
		if err != nil {
			return err
		}
		defer n.close()
		if *consumers {
			if err := n.startConsumers(ctx); err != nil {
				return err
			}
		}
		sctx, stop := context.WithCancel(ctx)
		defer stop()
		ready := make(chan string, 1)
		go n.serve(sctx, cfg.Addr, func(addr string) { ready <- addr })
		select {
		case addr := <-ready:
			base = "http://" + addr
		case <-time.After(30 * time.Second):
			return fmt.Errorf("bench: server did not start")
		}
		key = keys.WriteKey
		logSeq = func() uint64 {
			seq, _ := n.log.LastSequence(ctx)
			return seq
		}
	}
	fmt.Fprintf(stdout, "touchpoint bench ingest: %s, %d CPUs, %s/%s, durable acks (fsync before 200), analytics consumer running: %v\n",
		base, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, *consumers || *url != "")
	scenarios := map[string]bench.IngestConfig{
		"batch":  {BatchSize: 100, Concurrency: *batchConc},
		"single": {BatchSize: 1, Concurrency: *singleConc},
	}
	for _, name := range []string{"batch", "single"} {
		if *only != "" && *only != name {
			continue
		}
		sc := scenarios[name]
		sc.URL, sc.WriteKey, sc.Duration, sc.Warmup = base, key, *duration, *warmup
		var before uint64
		if logSeq != nil {
			before = logSeq()
		}
		res, err := bench.Ingest(ctx, sc)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, res)
		if logSeq != nil {
			// Includes the warm-up, which sends at the same rate.
			if msgs := logSeq() - before; msgs > 0 {
				total := float64(res.Events) * float64(sc.Warmup+sc.Duration) / float64(sc.Duration)
				fmt.Fprintf(stdout, "           group commit: %d log messages (fsyncs), about %.0f events each\n", msgs, total/float64(msgs))
			}
		}
	}
	return nil
}

func benchIdentity(ctx context.Context, stdout, stderr io.Writer, profiles, events int) error {
	dir, err := os.MkdirTemp("", "touchpoint-bench-identity-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(stdout, "touchpoint bench identity: SQLite state, %d CPUs, %s/%s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	var progress io.Writer
	if isTerminal(stderr) {
		progress = stderr
	}
	res, err := bench.Identity(ctx, bench.IdentityConfig{Dir: dir, Profiles: profiles, Events: events, BatchSize: 10000, Reads: 20000, Progress: progress})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, res)
	return nil
}

// flagSet reports whether a flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

func benchAnalytics(ctx context.Context, stdout, stderr io.Writer, file string, events, runs int) error {
	if file == "" {
		dir, err := os.MkdirTemp("", "touchpoint-bench-analytics-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		file = filepath.Join(dir, "analytics.duckdb")
	}
	fmt.Fprintf(stdout, "touchpoint bench analytics: DuckDB, %d CPUs, %s/%s, %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, file)
	var progress io.Writer
	if isTerminal(stderr) {
		progress = stderr
	}
	before := loadAverage()
	res, err := bench.Analytics(ctx, bench.AnalyticsConfig{File: file, Events: events, Runs: runs, Progress: progress})
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, res)
	if before != "" {
		// Other work on the machine moves these figures a lot; say how busy it was.
		fmt.Fprintf(stdout, "load average (1 min) %s at the start, %s at the end\n", before, loadAverage())
	}
	return nil
}

// loadAverage is the machine's one-minute load average, or "" where the
// system does not say.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
