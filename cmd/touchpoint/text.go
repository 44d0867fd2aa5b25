package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/bench"
	"github.com/touchpoint-cx/touchpoint/httpapi"
	"github.com/touchpoint-cx/touchpoint/sqlite"
	"github.com/touchpoint-cx/touchpoint/text"
)

// modelsDir is where workspace text models live in the data directory.
const modelsDir = "models"

const textUsage = `Usage:
  touchpoint text analyze [--lang xx] [--model FILE | --data DIR | --server URL --key KEY]
        read one text per line on standard input, write one JSON result per line
  touchpoint text themes  [--lang xx] [--examples 3] [--discover 8]
        read one text per line, write the themes they group into (one JSON object per line)
  touchpoint text train   --lang xx --in FILE.tsv --out MODEL [--skip-bad]
        train a sentiment model on label<TAB>text lines (pos, neu, neg), print its held-out accuracy
  touchpoint text eval    [--sentiment-data DIR]
        accuracy of the built-in models on their held-out data, beside a lexicon baseline
  touchpoint text models  [list | add NAME MODEL | use LANG MODEL_ID|builtin | remove MODEL_ID] [--data DIR | --server URL --key KEY]
        the workspace's sentiment models and which one each language uses
`

func runText(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, textUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "analyze":
		return runTextAnalyze(ctx, args[1:], stdin, stdout, stderr)
	case "themes":
		return runTextThemes(ctx, args[1:], stdin, stdout, stderr)
	case "train":
		return runTextTrain(ctx, args[1:], stdin, stdout, stderr)
	case "eval":
		return runTextEval(ctx, args[1:], stdout, stderr)
	case "models":
		return runTextModels(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, textUsage)
	return touchpoint.Errorf(touchpoint.EINVALID, "unknown text command %q (want analyze, themes, train, eval or models)", args[0])
}

// textTarget says where text commands find the workspace's models: a
// server (named, or running on the data directory), the data directory
// itself, or nowhere (the built-in models).
type textTarget struct {
	config func() (Config, error)
	fs     *flag.FlagSet
	server *string
	key    *string
}

func textTargetFlags(fs *flag.FlagSet) *textTarget {
	t := &textTarget{fs: fs, config: commonFlags(fs)}
	t.server = fs.String("server", "", "`URL` of a Touchpoint server to use (default: the server running on --data, if any)")
	t.key = fs.String("key", "", "admin `key` for --server (default $TOUCHPOINT_ADMIN_KEY)")
	return t
}

// dataGiven reports whether the user named a data directory.
func (t *textTarget) dataGiven() bool {
	given := os.Getenv("TOUCHPOINT_DATA") != ""
	t.fs.Visit(func(f *flag.Flag) {
		if f.Name == "data" || f.Name == "config" {
			given = true
		}
	})
	return given
}

// textService is what the text commands need, served locally or over HTTP.
type textService interface {
	touchpoint.TextAnalyzer
	touchpoint.TextGrouper
	touchpoint.TextModelManager
}

// open returns the text service of the target and a function to release
// it. builtinOK lets commands that can work without a data directory
// (analyze, themes) fall back to the built-in models.
func (t *textTarget) open(ctx context.Context, builtinOK bool) (textService, func(), error) {
	if *t.server != "" {
		k := *t.key
		if k == "" {
			k = os.Getenv("TOUCHPOINT_ADMIN_KEY")
		}
		if k == "" {
			return nil, nil, touchpoint.FieldError("key", "required with --server (or set TOUCHPOINT_ADMIN_KEY)")
		}
		return remoteText{httpapi.NewClient(*t.server, k)}, func() {}, nil
	}
	if builtinOK && !t.dataGiven() {
		return text.NewAnalyzer(text.Config{}), func() {}, nil
	}
	cfg, err := t.config()
	if err != nil {
		return nil, nil, err
	}
	if si, ok := runningServer(ctx, cfg.Data); ok {
		return remoteText{httpapi.NewClient("http://"+si.Addr, si.LocalKey)}, func() {}, nil
	}
	return openTextState(ctx, cfg)
}

// openTextState opens only what text models need of a data directory no
// server holds: its lock and the state store.
func openTextState(ctx context.Context, cfg Config) (textService, func(), error) {
	if _, err := os.Stat(filepath.Join(cfg.Data, stateFile)); err != nil {
		return nil, nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "%s is not a Touchpoint data directory; run: touchpoint init --data %s", cfg.Data, cfg.Data)
	}
	lock, err := lockDataDir(cfg.Data)
	if err != nil {
		return nil, nil, err
	}
	db, err := sqlite.Open(ctx, filepath.Join(cfg.Data, stateFile), touchpoint.SystemClock{})
	if err != nil {
		lock.Close()
		return nil, nil, fmt.Errorf("open state: %w", err)
	}
	a := text.NewAnalyzer(text.Config{Store: db, Dir: filepath.Join(cfg.Data, modelsDir), Logger: cfg.logger(io.Discard)})
	return a, func() { db.Close(); lock.Close() }, nil
}

// remoteText is the text service of a server, through its API. The
// server acts in the workspace of the key, so the workspace argument is
// not sent.
type remoteText struct{ c *httpapi.Client }

func (r remoteText) Analyze(ctx context.Context, _ string, texts []string, lang string) ([]touchpoint.TextAnalysis, error) {
	return r.c.AnalyzeText(ctx, texts, lang)
}

func (r remoteText) GroupTexts(ctx context.Context, _ string, texts []string, o touchpoint.ThemeOptions) ([]touchpoint.TextTheme, error) {
	return r.c.TextThemes(ctx, httpapi.ThemesRequest{Texts: texts, Language: o.Language, Examples: o.Examples, Discover: o.Discover, MinCount: o.MinCount})
}

func (r remoteText) TextModels(ctx context.Context, _ string) (*touchpoint.TextModels, error) {
	return r.c.TextModels(ctx)
}

func (r remoteText) TextModel(ctx context.Context, _ string, id string) (*touchpoint.TextModel, error) {
	ms, err := r.c.TextModels(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range ms.Models {
		if m.ID == id {
			return m, nil
		}
	}
	return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "text model %q not found", id)
}

func (r remoteText) AddTextModel(ctx context.Context, _ string, name string, data []byte, _ string) (*touchpoint.TextModel, error) {
	return r.c.AddTextModel(ctx, name, bytes.NewReader(data))
}

func (r remoteText) RemoveTextModel(ctx context.Context, _ string, id string) error {
	return r.c.RemoveTextModel(ctx, id)
}

func (r remoteText) UseTextModel(ctx context.Context, _ string, lang, model, _ string) (*touchpoint.TextModels, error) {
	return r.c.UseTextModel(ctx, lang, model)
}

// readLines calls fn with batches of up to n lines of r.
func readLines(r io.Reader, n int, fn func([]string) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	batch := make([]string, 0, n)
	for {
		line, err := br.ReadString('\n')
		if line != "" || err == nil {
			batch = append(batch, strings.TrimRight(line, "\r\n"))
		}
		if len(batch) == n || err != nil && len(batch) > 0 {
			if ferr := fn(batch); ferr != nil {
				return ferr
			}
			batch = batch[:0]
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read input: %w", err)
		}
	}
}

// limitText cuts a text to what the API reads, so that one long line does
// not fail a whole batch sent to a server.
func limitText(s string) string {
	if len(s) <= httpapi.MaxTextChars {
		return s
	}
	r := []rune(s)
	if len(r) <= httpapi.MaxTextChars {
		return s
	}
	return string(r[:httpapi.MaxTextChars])
}

func runTextAnalyze(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("text analyze", stderr, "text analyze [--lang xx] [--model FILE | --data DIR | --server URL --key KEY] < texts.txt\n\nReads one text per line and writes one JSON result per line, in order. Without --data or --server it uses the built-in models.")
	target := textTargetFlags(fs)
	lang := fs.String("lang", "", "language of every text: en, vi, th or fa (default: detected per text)")
	modelFile := fs.String("model", "", "use this model `file` (from text train) for its language instead of the built-in one")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("text analyze", rest); err != nil {
		return err
	}
	if *lang != "" {
		if *lang, err = text.ParseLanguage("lang", *lang); err != nil {
			return err
		}
	}
	var svc textService
	release := func() {}
	if *modelFile != "" {
		m, err := readModelFile(*modelFile)
		if err != nil {
			return err
		}
		svc = text.NewAnalyzer(text.Config{Override: map[string]*text.Model{m.Info.Language: m}})
	} else if svc, release, err = target.open(ctx, true); err != nil {
		return err
	}
	defer release()
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return readLines(stdin, httpapi.MaxAnalyzeTexts, func(lines []string) error {
		for i := range lines {
			lines[i] = limitText(lines[i])
		}
		res, err := svc.Analyze(ctx, touchpoint.DefaultWorkspace, lines, *lang)
		if err != nil {
			return err
		}
		for _, r := range res {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	})
}

func readModelFile(path string) (*text.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, touchpoint.Errorf(touchpoint.EINVALID, "cannot open model %s: %s", path, err.Error())
	}
	defer f.Close()
	m, err := text.ReadModel(bufio.NewReader(f))
	if err != nil {
		return nil, touchpoint.Errorf(touchpoint.EINVALID, "%s: %s", path, touchpoint.ErrorMessage(err))
	}
	return m, nil
}

func runTextThemes(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("text themes", stderr, "text themes [--lang xx] [--examples 3] [--discover 8] [--min-count N] < texts.txt")
	target := textTargetFlags(fs)
	var o touchpoint.ThemeOptions
	fs.StringVar(&o.Language, "lang", "", "language of every text (default: detected per text)")
	fs.IntVar(&o.Examples, "examples", 3, "example texts per theme")
	fs.IntVar(&o.Discover, "discover", 8, "themes to discover beyond the taxonomy (-1 for none)")
	fs.IntVar(&o.MinCount, "min-count", 0, "texts a discovered theme needs (default 2, or 1% of the texts)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("text themes", rest); err != nil {
		return err
	}
	svc, release, err := target.open(ctx, true)
	if err != nil {
		return err
	}
	defer release()
	var texts []string
	if err := readLines(stdin, 1000, func(lines []string) error {
		for _, l := range lines {
			texts = append(texts, limitText(l))
		}
		if len(texts) > httpapi.MaxThemeTexts {
			return touchpoint.Errorf(touchpoint.ETOOLARGE, "at most %d texts can be grouped at once", httpapi.MaxThemeTexts)
		}
		return nil
	}); err != nil {
		return err
	}
	if len(texts) == 0 {
		return touchpoint.Errorf(touchpoint.EINVALID, "no texts on standard input")
	}
	themes, err := svc.GroupTexts(ctx, touchpoint.DefaultWorkspace, texts, o)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, th := range themes {
		if err := enc.Encode(th); err != nil {
			return err
		}
	}
	return nil
}

func runTextTrain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("text train", stderr, "text train --lang xx --in FILE.tsv --out MODEL [--skip-bad]\n\nFILE.tsv has one labelled text a line: pos, neu or neg, a tab, the text. A fifth of the lines, chosen by a\nfixed hash of their text, is held out to measure the model; it is trained on the rest.")
	lang := fs.String("lang", "", "language of the texts: en, vi, th or fa (required)")
	in := fs.String("in", "", "labelled `file` (label<TAB>text), - for standard input (required)")
	out := fs.String("out", "", "model `file` to write (required)")
	skipBad := fs.Bool("skip-bad", false, "train on the good lines when some are malformed (they are listed)")
	quiet := fs.Bool("quiet", false, "print only the result")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("text train", rest); err != nil {
		return err
	}
	switch {
	case *lang == "":
		fs.Usage()
		return touchpoint.FieldError("lang", "required: en, vi, th or fa")
	case *in == "":
		return touchpoint.FieldError("in", "required: a label<TAB>text file")
	case *out == "":
		return touchpoint.FieldError("out", "required: where to write the model")
	}
	l, err := text.ParseLanguage("lang", *lang)
	if err != nil {
		return err
	}
	f, _, name, err := openInput(*in, stdin)
	if err != nil {
		return err
	}
	examples, err := text.ReadTSV(f)
	f.Close()
	var te *text.TSVError
	if errors.As(err, &te) {
		for i, le := range te.Lines {
			if i == 20 {
				fmt.Fprintf(stderr, "%s: … and %d more malformed lines\n", *in, len(te.Lines)-20)
				break
			}
			fmt.Fprintf(stderr, "%s:%d: %s\n", *in, le.Line, le.Msg)
		}
		if !*skipBad {
			return touchpoint.Errorf(touchpoint.EINVALID, "%s: %s (fix them, or pass --skip-bad to train without them)", *in, te.Error())
		}
	} else if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	if *quiet {
		logf = nil
	}
	train, held := text.Split(examples)
	if logf != nil {
		logf("%s: %d examples; training on %d, holding out %d", *in, len(examples), len(train), len(held))
	}
	start := time.Now()
	m, metrics, err := text.TrainHeldOut(ctx, examples, text.TrainOptions{Language: l, Data: name, Logf: logf})
	if err != nil {
		return err
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, m.Marshal(), 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	st, _ := os.Stat(*out)
	fmt.Fprintf(stdout, "trained %s model on %d examples in %s: %d weighted features, %d KB\n", l, len(train), time.Since(start).Round(100*time.Millisecond), m.Buckets(), st.Size()>>10)
	fmt.Fprintf(stdout, "held-out accuracy (%d examples): %s\n", len(held), metrics)
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

// defaultSentimentData is where the labelled sets live beside a checkout.
func defaultSentimentData() string {
	if v := os.Getenv("TOUCHPOINT_SENTIMENT_DATA"); v != "" {
		return v
	}
	return filepath.Join("..", "shared", "data", "sentiment")
}

func runTextEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("text eval", stderr, "text eval [--sentiment-data DIR] [--lang en,vi,th,fa]")
	dir := fs.String("sentiment-data", defaultSentimentData(), "`folder` with en.train.tsv, vi.train.tsv, th.train.tsv, fa.train.tsv (or $TOUCHPOINT_SENTIMENT_DATA)")
	langs := fs.String("lang", strings.Join(text.Languages(), ","), "languages to evaluate")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("text eval", rest); err != nil {
		return err
	}
	return textEval(ctx, stdout, *dir, *langs)
}

func textEval(ctx context.Context, stdout io.Writer, dir, langs string) error {
	var ls []string
	for _, l := range strings.Split(langs, ",") {
		l, err := text.ParseLanguage("lang", l)
		if err != nil {
			return err
		}
		ls = append(ls, l)
	}
	fmt.Fprintf(stdout, "touchpoint text eval: built-in models on the held-out fifth of %s; %d CPUs, %s/%s\n", dir, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	res, err := bench.TextEval(ctx, bench.TextEvalConfig{Dir: dir, Languages: ls})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "language\theld out\tmodel pos-vs-neg\tbaseline pos-vs-neg\tmodel 3-class\tbaseline 3-class\tmodel macro-F1\tbaseline\tanalyze texts/s")
	for _, r := range res.Languages {
		fmt.Fprintf(tw, "%s\t%d\t%.1f%% (%d)\t%.1f%%\t%.1f%% (%d)\t%.1f%%\t%.3f\t%s\t%.0f\n", r.Language, r.Model.Examples,
			100*r.Model.PolarAccuracy, r.Model.PolarExamples, 100*r.Baseline.PolarAccuracy,
			100*r.Model.Accuracy, r.Model.Examples, 100*r.Baseline.Accuracy, r.Model.MacroF1, r.BaselineName, r.TextsPerSecond)
	}
	tw.Flush()
	for _, r := range res.Languages {
		if r.Bare != nil {
			fmt.Fprintf(stdout, "%s without diacritics: %s\n", r.Language, r.Bare)
		}
	}
	fmt.Fprintf(stdout, "all held-out texts through detection, sentiment and topics: %.0f texts/s on one core\n", res.TextsPerSecond)
	return nil
}

func runTextModels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("text models", stderr, "text models [list | add NAME MODEL_FILE | use LANG MODEL_ID|builtin | remove MODEL_ID] [--data DIR | --server URL --key KEY]")
	target := textTargetFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		rest = []string{"list"}
	}
	want := map[string]int{"list": 1, "add": 3, "use": 3, "remove": 2}
	if n, ok := want[rest[0]]; !ok || len(rest) != n {
		fs.Usage()
		return touchpoint.Errorf(touchpoint.EINVALID, "text models: want list, add NAME MODEL_FILE, use LANG MODEL_ID|builtin or remove MODEL_ID")
	}
	svc, release, err := target.open(ctx, false)
	if err != nil {
		return err
	}
	defer release()
	const by = "cli"
	ws := touchpoint.DefaultWorkspace
	var models *touchpoint.TextModels
	switch rest[0] {
	case "add":
		data, err := os.ReadFile(rest[2])
		if err != nil {
			return touchpoint.Errorf(touchpoint.EINVALID, "cannot read model %s: %s", rest[2], err.Error())
		}
		m, err := svc.AddTextModel(ctx, ws, rest[1], data, by)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(m)
		}
		fmt.Fprintf(stdout, "added %s model %s (%q); choose it with: touchpoint text models use %s %s\n", m.Language, m.ID, m.Name, m.Language, m.ID)
		return nil
	case "remove":
		if err := svc.RemoveTextModel(ctx, ws, rest[1]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed %s\n", rest[1])
		return nil
	case "use":
		if models, err = svc.UseTextModel(ctx, ws, rest[1], rest[2], by); err != nil {
			return err
		}
	default:
		if models, err = svc.TextModels(ctx, ws); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(models)
	}
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tlanguage\tname\tin use\theld-out pos-vs-neg\tcreated")
	for _, m := range models.Models {
		var tr text.TrainingInfo
		json.Unmarshal(m.Training, &tr)
		acc := "-"
		if tr.HeldOut != nil {
			acc = fmt.Sprintf("%.1f%% (%d)", 100*tr.HeldOut.PolarAccuracy, tr.HeldOut.PolarExamples)
		}
		inUse := ""
		if models.Choice[m.Language] == m.ID {
			inUse = "yes"
		}
		created := ""
		if !m.CreatedAt.IsZero() {
			created = m.CreatedAt.Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Language, m.Name, inUse, acc, created)
	}
	return tw.Flush()
}
