// Command touchpoint runs Touchpoint, the open-source customer experience
// platform: one binary with embedded storage.
//
//	touchpoint init    --data DIR              create a data directory, print keys
//	touchpoint serve   --data DIR --addr H:P   serve the APIs
//	touchpoint demo                            serve a realistic demo data set
//	touchpoint import  --data DIR FILE         import NDJSON or CSV history
//	touchpoint rebuild analytics --data DIR    rebuild the analytics store from the log
//	touchpoint bench   ingest                  measure durable ingest
//	touchpoint text    analyze|themes|train|eval|models   sentiment and topics
//	touchpoint bench   analytics               measure customer journey analytics
//	touchpoint scores  refresh --data DIR      recompute profile scores
//	touchpoint journeys apply DIR              save journey files as drafts (--publish)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/touchpoint-cx/touchpoint"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "touchpoint:", describe(err))
		os.Exit(1)
	}
}

// describe renders an error for a person at a terminal.
func describe(err error) string {
	if code := touchpoint.ErrorCode(err); code != touchpoint.EINTERNAL {
		return touchpoint.ErrorMessage(err)
	}
	return err.Error()
}

const usage = `Touchpoint — every touchpoint of every customer, in one place.

Usage:
  touchpoint init    --data DIR                 create a data directory and print its keys
  touchpoint serve   --data DIR --addr HOST:PORT serve the collection and admin APIs
  touchpoint demo    [--addr HOST:PORT]         load a demo data set and serve it
  touchpoint import  --data DIR FILE            import NDJSON or CSV history
  touchpoint rebuild analytics --data DIR       rebuild the analytics store from the log
  touchpoint bench   ingest                     measure durable ingest throughput
  touchpoint bench   text                       sentiment accuracy per language beside a lexicon baseline
  touchpoint text    analyze [--lang xx]        sentiment and topics of one text per line of stdin, as JSON lines
  touchpoint text    themes                     group one text per line of stdin into themes
  touchpoint text    train --lang xx --in F.tsv --out MODEL   train a sentiment model on label<TAB>text lines
  touchpoint text    eval                       accuracy of the built-in models on held-out data
  touchpoint text    models [list|add|use|remove]   a workspace's sentiment models
  touchpoint bench   analytics                  measure funnels, paths, the journey map and retention on 10M events
  touchpoint scores  refresh --data DIR         recompute churn and lifetime-value scores of every profile
  touchpoint journeys apply [--publish] DIR     save journey files (YAML/JSON) as drafts, and publish them
  touchpoint version                            print the version

Run 'touchpoint COMMAND -h' for a command's flags.
Environment: TOUCHPOINT_DATA, TOUCHPOINT_ADDR, TOUCHPOINT_LOG_LEVEL, TOUCHPOINT_LOG_FORMAT, TOUCHPOINT_NATS_URL, TOUCHPOINT_PUBLIC_URL.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "init":
		return runInit(ctx, rest, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "import":
		return runImport(ctx, rest, stdin, stdout, stderr)
	case "rebuild":
		return runRebuild(ctx, rest, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "text":
		return runText(ctx, rest, stdin, stdout, stderr)
	case "scores":
		return runScores(ctx, rest, stdout, stderr)
	case "journeys":
		return runJourneys(ctx, rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "touchpoint", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return touchpoint.Errorf(touchpoint.EINVALID, "unknown command %q", cmd)
}

// commonFlags registers the flags every data-directory command shares and
// returns a function that yields the final, validated config.
func commonFlags(fs *flag.FlagSet) func() (Config, error) {
	configPath := fs.String("config", "", "JSON config `file`")
	data := fs.String("data", "", "data `directory` (default ./touchpoint-data, or $TOUCHPOINT_DATA)")
	addr := fs.String("addr", "", "listen `address` HOST:PORT (default 127.0.0.1:8080, or $TOUCHPOINT_ADDR)")
	level := fs.String("log-level", "", "debug, info, warn or error")
	format := fs.String("log-format", "", "text or json")
	return func() (Config, error) {
		c, err := loadConfig(*configPath)
		if err != nil {
			return c, err
		}
		for dst, v := range map[*string]string{&c.Data: *data, &c.Addr: *addr, &c.LogLevel: *level, &c.LogFormat: *format} {
			if v != "" {
				*dst = v
			}
		}
		return c, c.Validate()
	}
}

// parseFlags parses flags wherever they appear among the arguments, so that
// `touchpoint import FILE --data DIR` works as well as the other order.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func newFlagSet(name string, stderr io.Writer, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: touchpoint %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func noArgs(cmd string, args []string) error {
	if len(args) > 0 {
		return touchpoint.Errorf(touchpoint.EINVALID, "%s takes no arguments, got %s", cmd, strings.Join(args, " "))
	}
	return nil
}
