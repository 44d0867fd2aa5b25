package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/demo"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr, "demo [--addr HOST:PORT] [--data DIR] [--seed N]")
	config := commonFlags(fs)
	seed := fs.Uint64("seed", 1, "random `seed`: the same seed gives the same data set")
	customers := fs.Int("customers", 10000, "identified customers to generate")
	days := fs.Int("days", 90, "days of history, ending today")
	keep := fs.Bool("keep", false, "keep the data directory after exit (it is temporary by default)")
	loadOnly := fs.Bool("load-only", false, "load the data set into --data and exit without serving")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("demo", rest); err != nil {
		return err
	}
	dataGiven := false
	fs.Visit(func(f *flag.Flag) { dataGiven = dataGiven || f.Name == "data" })
	dataGiven = dataGiven || os.Getenv("TOUCHPOINT_DATA") != ""
	cfg, err := config()
	if err != nil {
		return err
	}
	if !dataGiven {
		if cfg.Data, err = os.MkdirTemp("", "touchpoint-demo-"); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if !*keep && !*loadOnly {
			defer os.RemoveAll(cfg.Data)
		}
	}
	logger := cfg.logger(stderr)

	keys, err := initDataDir(ctx, cfg.Data, "demo@touchpoint.local")
	if err != nil {
		return err
	}
	n, err := openNode(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer n.close()
	if err := n.startConsumers(ctx); err != nil {
		return err
	}
	sources := map[string]string{}
	for _, typ := range demo.SourceTypes() {
		src := &touchpoint.Source{Workspace: touchpoint.DefaultWorkspace, Name: "Demo " + typ, Type: typ}
		if err := n.state.CreateSource(ctx, src); err != nil {
			return err
		}
		sources[typ] = src.ID
	}

	for _, sv := range demo.Surveys(touchpoint.DefaultWorkspace) {
		if err := n.state.CreateSurvey(ctx, sv); err != nil {
			return err
		}
	}

	fmt.Fprintf(stderr, "Generating %d customers over %d days (seed %d)…\n", *customers, *days, *seed)
	start := time.Now()
	end := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	batch := make([]touchpoint.Event, 0, 5000)
	flush := func() error {
		if err := n.log.Append(ctx, batch); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	sum, err := demo.Generate(demo.Config{Seed: *seed, Customers: *customers, Days: *days, End: end, Workspace: touchpoint.DefaultWorkspace, Sources: sources},
		func(ev touchpoint.Event) error {
			batch = append(batch, ev)
			if len(batch) == cap(batch) {
				return flush()
			}
			return nil
		})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if err := n.waitCaughtUp(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Loaded %d events (%d customers, %d anonymous visitors) in %s.\n",
		sum.Events, sum.Customers, sum.AnonymousVisitors, time.Since(start).Round(100*time.Millisecond))
	if err := demoSegments(ctx, n, stderr); err != nil {
		return err
	}
	if *loadOnly {
		fmt.Fprintf(stdout, "Demo data loaded into %s\nlogin: %s\npassword: %s\nadmin key: %s\nwrite key: %s\n",
			cfg.Data, keys.AdminEmail, keys.AdminPassword, keys.AdminKey, keys.WriteKey)
		return nil
	}

	addr := cfg.Addr
	if ln, err := net.Listen("tcp", addr); err != nil {
		// The default port is taken: any free port will do for a demo.
		host, _, _ := net.SplitHostPort(addr)
		addr = net.JoinHostPort(host, "0")
	} else {
		ln.Close()
	}
	return n.serve(ctx, addr, func(bound string) {
		url := "http://" + bound
		if strings.HasPrefix(bound, "0.0.0.0:") || strings.HasPrefix(bound, "[::]:") {
			_, port, _ := net.SplitHostPort(bound)
			url = "http://localhost:" + port
		}
		fmt.Fprintf(stdout, `
Touchpoint demo is running at %s

  Open the dashboard and sign in:
    email     %s
    password  %s

  admin key  %s
  write key  %s
  data dir   %s%s

Try:
  curl -H 'Authorization: Bearer %s' %s/api/v1/stats
  curl -u %s: -d '{"userId":"u_000001","event":"Order Completed","properties":{"revenue":42}}' %s/v1/track

Press Ctrl+C to stop.
`, url, keys.AdminEmail, keys.AdminPassword, keys.AdminKey, keys.WriteKey, cfg.Data, tempNote(dataGiven, *keep), keys.AdminKey, url, keys.WriteKey, url)
	})
}

func tempNote(dataGiven, keep bool) string {
	if dataGiven || keep {
		return ""
	}
	return " (temporary: removed on exit; --keep keeps it)"
}

// demoSegments defines the demo's segments, waits for their members and
// discovers personas, so those pages show something from the start.
func demoSegments(ctx context.Context, n *node, stderr io.Writer) error {
	start := time.Now()
	var ids []string
	for _, s := range demo.Segments(touchpoint.DefaultWorkspace) {
		if err := n.segmentsSvc.CreateSegment(ctx, s); err != nil {
			return fmt.Errorf("demo segments: %w", err)
		}
		ids = append(ids, s.ID)
	}
	if err := n.segments.Refresh(ctx); err != nil {
		return fmt.Errorf("demo segments: %w", err)
	}
	// Membership events go through the log like any other.
	if err := n.waitCaughtUp(ctx); err != nil {
		return err
	}
	if _, err := n.personas.RefreshPersonas(ctx, touchpoint.DefaultWorkspace); err != nil {
		return fmt.Errorf("demo personas: %w", err)
	}
	fmt.Fprintf(stderr, "Defined %d segments and discovered personas in %s.\n", len(ids), time.Since(start).Round(100*time.Millisecond))
	return nil
}
