package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/bench"
	"github.com/touchpoint-cx/touchpoint/channel"
	"github.com/touchpoint-cx/touchpoint/httpapi"
	"github.com/touchpoint-cx/touchpoint/internal/outbound"
	"github.com/touchpoint-cx/touchpoint/journey"
	"github.com/touchpoint-cx/touchpoint/survey"
)

// openJourneys builds the journey engine, its dispatcher and the channels
// they send on, from the configuration.
func (n *node) openJourneys() error {
	cfg := n.cfg
	reg := channel.NewRegistry()
	if cfg.SMTP.Host != "" {
		reg.Register(touchpoint.ChannelEmail, channel.NewEmail(cfg.smtpConfig()))
	}
	if cfg.SMS.URL != "" {
		sms, err := channel.NewSMS(cfg.smsConfig())
		if err != nil {
			return touchpoint.FieldError("sms.body", "%s", err.Error())
		}
		reg.Register(touchpoint.ChannelSMS, sms)
	}
	reg.Register(touchpoint.ChannelWebhook, channel.NewWebhook(15*time.Second))
	reg.Register(touchpoint.ChannelInApp, &channel.InApp{Store: n.state})
	n.dispatcher = journey.NewDispatcher(journey.DispatcherConfig{
		Store: n.state, Profiles: n.state, Appender: n.log, Channels: reg, Clock: n.clock, Logger: n.logger,
		PublicURL: cfg.PublicURL, RetryInitial: time.Duration(cfg.Journeys.RetryInitial), MaxAttempts: cfg.Journeys.MaxAttempts,
		// A survey step's link is a personal invitation of the survey feature.
		SurveyInvite: func(ctx context.Context, workspace, surveyID, profileID, ch string) (string, error) {
			delivery := map[string]string{touchpoint.ChannelEmail: touchpoint.DeliveryEmail, touchpoint.ChannelInApp: touchpoint.DeliveryWidget}[ch]
			if delivery == "" {
				delivery = touchpoint.DeliveryLink
			}
			inv, err := n.surveys().Invite(ctx, survey.InviteRequest{Workspace: workspace, SurveyID: surveyID, Customer: profileID, Delivery: delivery, Touchpoint: "journey"})
			if err != nil {
				return "", err
			}
			return inv.Token, nil
		},
	})
	static := cfg.Outbound.AllowedHosts
	n.journeys = journey.NewEngine(journey.Config{
		Store: n.state, Profiles: n.state, Appender: n.log, Clock: n.clock, Logger: n.logger,
		IdentityCheckpoint: n.state.IdentityCheckpoint,
		Segments:           n.state,
		CheckURL: func(ctx context.Context, allowed []string, raw string) error {
			return outbound.CheckURL(ctx, outbound.Allowed(allowed, static), raw)
		},
		Enqueued:  n.dispatcher.Wake,
		PublicURL: cfg.PublicURL,
	})
	return nil
}

// startJourneyLoops starts the timers, the date pass and the dispatcher.
// Messages a crash left half-sent are put back in line first.
func (n *node) startJourneyLoops(ctx, cctx context.Context) error {
	if _, err := n.dispatcher.Reclaim(ctx); err != nil {
		return err
	}
	loops := []func(){
		func() { n.journeys.RunTimers(cctx, time.Duration(n.cfg.Journeys.TimerInterval)) },
		func() { n.journeys.RunDatesEvery(cctx, 10*time.Minute) },
		func() { n.dispatcher.Run(cctx, time.Second) },
	}
	for _, loop := range loops {
		n.consumers.Add(1)
		go func() {
			defer n.consumers.Done()
			loop()
		}()
	}
	return nil
}

func runJourneys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("journeys", stderr, "journeys apply [--publish] [--data DIR | --server URL --key ADMIN_KEY] DIR|FILE...\n       touchpoint journeys list [--data DIR | --server URL --key ADMIN_KEY]\n\napply saves journey documents (YAML or JSON, one journey a file, kept in git) as drafts;\n--publish also publishes every journey whose draft differs from its live version.")
	config := commonFlags(fs)
	server := fs.String("server", "", "`URL` of a running Touchpoint (default: the server running on --data)")
	key := fs.String("key", "", "admin `key` for --server (default $TOUCHPOINT_ADMIN_KEY)")
	publish := fs.Bool("publish", false, "publish journeys whose draft changed")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 || (rest[0] != "apply" && rest[0] != "list") {
		fs.Usage()
		return touchpoint.Errorf(touchpoint.EINVALID, "say what to do: touchpoint journeys apply DIR, or touchpoint journeys list")
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	var c *httpapi.Client
	if *server != "" {
		k := *key
		if k == "" {
			k = os.Getenv("TOUCHPOINT_ADMIN_KEY")
		}
		if k == "" {
			return touchpoint.FieldError("key", "required with --server (or set TOUCHPOINT_ADMIN_KEY)")
		}
		c = httpapi.NewClient(*server, k)
	} else if si, ok := runningServer(ctx, cfg.Data); ok {
		c = httpapi.NewClient("http://"+si.Addr, si.LocalKey)
	} else {
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "no Touchpoint is serving %s: start it with touchpoint serve, or name one with --server", cfg.Data)
	}
	if rest[0] == "list" {
		js, err := c.Journeys(ctx)
		if err != nil {
			return err
		}
		for _, j := range js {
			fmt.Fprintf(stdout, "%-30s %-8s v%-3d %s\n", j.ID, j.Status, j.ActiveVersion, j.Draft.Name)
		}
		return nil
	}
	files, err := journeyFiles(rest[1:])
	if err != nil {
		return err
	}
	var failed int
	for _, f := range files {
		if err := applyJourney(ctx, c, f, *publish, stdout); err != nil {
			failed++
			fmt.Fprintf(stderr, "%s: %s\n", f, describe(err))
		}
	}
	if failed > 0 {
		return touchpoint.Errorf(touchpoint.EINVALID, "%d of %d journey files were not applied", failed, len(files))
	}
	return nil
}

// journeyFiles lists the .yaml, .yml and .json files named, directories
// searched recursively, in name order.
func journeyFiles(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, touchpoint.Errorf(touchpoint.EINVALID, "journeys apply needs a directory or files")
	}
	var out []string
	for _, a := range args {
		err := filepath.WalkDir(a, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
				if !d.IsDir() {
					out = append(out, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, touchpoint.Errorf(touchpoint.EINVALID, "%s", err.Error())
		}
	}
	if len(out) == 0 {
		return nil, touchpoint.Errorf(touchpoint.EINVALID, "no .yaml, .yml or .json files in %s", strings.Join(args, " "))
	}
	sort.Strings(out)
	return out, nil
}

// applyJourney saves one file as a journey's draft (its id from the
// document, else the file name) and publishes it if asked and changed.
func applyJourney(ctx context.Context, c *httpapi.Client, path string, publish bool, stdout io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc, err := touchpoint.DecodeJourney(data)
	if err != nil {
		return err
	}
	if doc.ID == "" {
		doc.ID = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	body, _ := json.Marshal(doc)
	j, err := c.PutJourney(ctx, doc.ID, body)
	if err != nil {
		return err
	}
	msg := "draft saved"
	if publish {
		changed := true
		if j.ActiveVersion > 0 {
			v, err := c.JourneyVersion(ctx, j.ID, j.ActiveVersion)
			if err != nil {
				return err
			}
			a, _ := json.Marshal(v.Definition)
			b, _ := json.Marshal(j.Draft)
			changed = string(a) != string(b)
		}
		if changed {
			v, err := c.PublishJourney(ctx, j.ID)
			if err != nil {
				return err
			}
			msg = fmt.Sprintf("published version %d", v.Version)
		} else {
			msg = fmt.Sprintf("unchanged, version %d stays live", j.ActiveVersion)
		}
	}
	fmt.Fprintf(stdout, "%s: %s\n", j.ID, msg)
	return nil
}

// benchJourneys measures the journey engine on its own (enrolments and
// timers at scale) and then, through a real server, the latency from a
// tracked event to the webhook its journey calls.
func benchJourneys(ctx context.Context, stdout, stderr io.Writer, customers, probes int) error {
	fmt.Fprintf(stdout, "touchpoint bench journeys: SQLite state, embedded log, %d CPUs, %s/%s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	if customers > 0 {
		dir, err := os.MkdirTemp("", "touchpoint-bench-journeys-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		var progress io.Writer
		if isTerminal(stderr) {
			progress = stderr
		}
		res, err := bench.Journeys(ctx, bench.JourneysConfig{Dir: dir, Customers: customers, BatchSize: 5000, Progress: progress})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, res)
	}
	if probes <= 0 {
		return nil
	}
	dir, err := os.MkdirTemp("", "touchpoint-bench-latency-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := DefaultConfig()
	cfg.Data, cfg.Addr, cfg.LogLevel = dir, "127.0.0.1:0", "warn"
	cfg.Journeys.TimerInterval = touchpoint.Duration(50 * time.Millisecond)
	keys, err := initDataDir(ctx, dir, DefaultAdminEmail)
	if err != nil {
		return err
	}
	n, err := openNode(ctx, cfg, cfg.logger(stderr))
	if err != nil {
		return err
	}
	defer n.close()
	if err := n.startConsumers(ctx); err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	ready := make(chan string, 1)
	go n.serve(sctx, cfg.Addr, func(addr string) { ready <- addr })
	var base string
	select {
	case addr := <-ready:
		base = "http://" + addr
	case <-time.After(30 * time.Second):
		return fmt.Errorf("bench: server did not start")
	}
	admin := httpapi.NewClient(base, keys.AdminKey)
	res, err := bench.Latency(ctx, bench.LatencyConfig{URL: base, WriteKey: keys.WriteKey, Events: probes, Rate: 50,
		Publish: func(ctx context.Context, hookURL string) error {
			st, err := admin.MessagingSettings(ctx)
			if err != nil {
				return err
			}
			st.AllowedHosts = []string{"127.0.0.1"}
			if _, err := admin.SetMessagingSettings(ctx, st); err != nil {
				return err
			}
			doc := fmt.Sprintf("name: Latency\nentry: {type: event, event: Latency Probe, next: h}\nnodes:\n  - {id: h, type: webhook, url: %q, body: '{\"n\":\"{{.event.properties.n}}\"}'}\n", hookURL)
			if _, err := admin.PutJourney(ctx, "latency", []byte(doc)); err != nil {
				return err
			}
			_, err = admin.PublishJourney(ctx, "latency")
			return err
		}})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, res)
	return nil
}
