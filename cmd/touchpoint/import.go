package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
	"github.com/touchpoint-cx/touchpoint/importer"
	"golang.org/x/term"
)

func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", stderr, "import [--data DIR | --server URL --key ADMIN_KEY] [flags] FILE\n\nFILE is NDJSON (one Segment call per line) or CSV with a header row; - reads standard input.")
	config := commonFlags(fs)
	server := fs.String("server", "", "`URL` of a running Touchpoint to import into (default: the server running on --data, else the data directory directly)")
	key := fs.String("key", "", "admin `key` for --server (default $TOUCHPOINT_ADMIN_KEY)")
	var o httpapi.ImportOptions
	fs.StringVar(&o.Format, "format", "", "ndjson or csv (default: from the file name or content)")
	fs.StringVar(&o.Mapping, "map", "", "CSV column `mapping`, e.g. userId=customer_id,event=action,timestamp=date,properties.revenue=amount")
	fs.StringVar(&o.Type, "type", "", "CSV: call type of rows without a type column (default track)")
	fs.StringVar(&o.Unmapped, "unmapped", "", "CSV: where unmapped columns go: properties, traits or drop")
	fs.StringVar(&o.TimeFormat, "time-format", "", "CSV: Go time `layout` of the timestamp column (default ISO 8601 or unix time)")
	fs.StringVar(&o.Delimiter, "delimiter", "", "CSV: field delimiter (default , or tab for .tsv)")
	fs.StringVar(&o.SourceID, "source-id", "", "source the events belong to (default: the workspace's Import source)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	quiet := fs.Bool("quiet", false, "no progress bar")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return touchpoint.Errorf(touchpoint.EINVALID, "import takes one FILE (or - for standard input)")
	}
	cfg, err := config()
	if err != nil {
		return err
	}

	in, size, name, err := openInput(rest[0], stdin)
	if err != nil {
		return err
	}
	defer in.Close()
	o.Filename = name
	var bar *progress
	if !*quiet && isTerminal(stderr) {
		bar = newProgress(stderr, size)
		defer bar.stop()
	}
	var r io.Reader = in
	if bar != nil {
		r = bar.reader(in)
	}

	var sum importer.Summary
	switch {
	case *server != "":
		k := *key
		if k == "" {
			k = os.Getenv("TOUCHPOINT_ADMIN_KEY")
		}
		if k == "" {
			return touchpoint.FieldError("key", "required with --server (or set TOUCHPOINT_ADMIN_KEY)")
		}
		sum, err = httpapi.NewClient(*server, k).Import(ctx, r, o)
	default:
		if si, ok := runningServer(ctx, cfg.Data); ok {
			sum, err = httpapi.NewClient("http://"+si.Addr, si.LocalKey).Import(ctx, r, o)
		} else {
			sum, err = importOffline(ctx, cfg, r, o)
		}
	}
	if bar != nil {
		bar.stop()
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	printSummary(stdout, sum)
	if sum.Accepted == 0 && sum.Rejected > 0 {
		return touchpoint.Errorf(touchpoint.EINVALID, "no row was accepted")
	}
	return nil
}

func openInput(path string, stdin io.Reader) (io.ReadCloser, int64, string, error) {
	if path == "-" {
		return io.NopCloser(stdin), -1, "", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, "", touchpoint.Errorf(touchpoint.EINVALID, "cannot open %s: %s", path, err.Error())
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, "", fmt.Errorf("stat %s: %w", path, err)
	}
	return f, st.Size(), filepath.Base(path), nil
}

// runningServer returns the server serving a data directory, if it answers.
func runningServer(ctx context.Context, dir string) (*serverInfo, bool) {
	si, ok := readServerFile(dir)
	if !ok {
		return nil, false
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(cctx, http.MethodGet, "http://"+si.Addr+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, false
	}
	resp.Body.Close()
	return si, resp.StatusCode == http.StatusOK
}

// importOffline imports straight into a data directory no server holds,
// and waits until analytics has everything before returning.
func importOffline(ctx context.Context, cfg Config, r io.Reader, o httpapi.ImportOptions) (importer.Summary, error) {
	logger := cfg.logger(io.Discard)
	n, err := openNode(ctx, cfg, logger)
	if err != nil {
		return importer.Summary{}, err
	}
	defer n.close()
	if err := n.startConsumers(ctx); err != nil {
		return importer.Summary{}, err
	}
	opts, err := importOptions(ctx, n, o)
	if err != nil {
		return importer.Summary{}, err
	}
	if opts.Format == "" {
		if opts.Format, r, err = importer.Sniff(r, o.Filename); err != nil {
			return importer.Summary{}, err
		}
	}
	sum, err := importer.Import(ctx, r, opts, n.log.Append)
	if err != nil {
		return sum, err
	}
	return sum, n.waitCaughtUp(ctx)
}

func importOptions(ctx context.Context, n *node, o httpapi.ImportOptions) (importer.Options, error) {
	opts := importer.Options{Format: importer.Format(o.Format), TimeFormat: o.TimeFormat, Unmapped: o.Unmapped, Type: touchpoint.EventType(o.Type), Now: n.clock.Now}
	if o.Type != "" && !opts.Type.Valid() {
		return opts, touchpoint.FieldError("type", "unknown call type %q", o.Type)
	}
	if o.Format != "" && o.Format != "csv" && o.Format != "ndjson" {
		return opts, touchpoint.FieldError("format", "must be ndjson or csv")
	}
	var err error
	if o.Delimiter != "" {
		if opts.Delimiter, err = importer.ParseDelimiter(o.Delimiter); err != nil {
			return opts, err
		}
	}
	if o.Mapping != "" {
		if opts.Mapping, err = importer.ParseMapping(o.Mapping); err != nil {
			return opts, err
		}
	}
	ws := touchpoint.DefaultWorkspace
	if o.SourceID != "" {
		srcs, err := n.state.FindSources(ctx, touchpoint.SourceFilter{Workspace: &ws, ID: &o.SourceID})
		if err != nil {
			return opts, err
		}
		if len(srcs) == 0 {
			return opts, touchpoint.FieldError("source-id", "no live source %q", o.SourceID)
		}
		opts.Source = srcs[0]
	} else if opts.Source, err = httpapi.EnsureImportSource(ctx, n.state, ws); err != nil {
		return opts, err
	}
	return opts, nil
}

func printSummary(w io.Writer, s importer.Summary) {
	fmt.Fprintf(w, "%d rows: %d accepted, %d rejected\n", s.Rows, s.Accepted, s.Rejected)
	if len(s.Reasons) > 0 {
		type reason struct {
			msg string
			n   int
		}
		var rs []reason
		for m, n := range s.Reasons {
			rs = append(rs, reason{m, n})
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].n > rs[j].n || rs[i].n == rs[j].n && rs[i].msg < rs[j].msg })
		fmt.Fprintln(w, "rejected because:")
		for _, r := range rs {
			fmt.Fprintf(w, "  %6d  %s\n", r.n, r.msg)
		}
	}
	for i, e := range s.Errors {
		if i == 20 {
			fmt.Fprintf(w, "  … %d more (use --json for the first %d)\n", s.Rejected-20, len(s.Errors))
			break
		}
		fmt.Fprintf(w, "  line %d: %s\n", e.Line, e.Message)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress draws a progress bar of bytes read on a terminal.
type progress struct {
	w      io.Writer
	total  int64
	read   atomic.Int64
	start  time.Time
	done   chan struct{}
	exited chan struct{}
	once   sync.Once
}

func newProgress(w io.Writer, total int64) *progress {
	p := &progress{w: w, total: total, start: time.Now(), done: make(chan struct{}), exited: make(chan struct{})}
	go p.loop()
	return p
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (p *progress) reader(r io.Reader) io.Reader { return countingReader{r: r, n: &p.read} }

func (p *progress) loop() {
	t := time.NewTicker(150 * time.Millisecond)
	defer t.Stop()
	defer close(p.exited)
	for {
		select {
		case <-p.done:
			p.draw()
			fmt.Fprintln(p.w)
			return
		case <-t.C:
			p.draw()
		}
	}
}

func (p *progress) draw() {
	n := p.read.Load()
	rate := float64(n) / time.Since(p.start).Seconds()
	if p.total <= 0 {
		fmt.Fprintf(p.w, "\r%s read  %s/s", bytesize(n), bytesize(int64(rate)))
		return
	}
	frac := min(float64(n)/float64(p.total), 1)
	const width = 30
	filled := int(frac * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	if filled > 0 && filled < width {
		bar = strings.Repeat("=", filled-1) + ">" + strings.Repeat(" ", width-filled)
	}
	fmt.Fprintf(p.w, "\r[%s] %3.0f%%  %s / %s  %s/s ", bar, frac*100, bytesize(n), bytesize(p.total), bytesize(int64(rate)))
}

// stop draws the final state and ends the line; it is safe to call twice.
func (p *progress) stop() {
	p.once.Do(func() { close(p.done) })
	<-p.exited
}

func bytesize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
