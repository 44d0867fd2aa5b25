package text

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// The built-in models, trained by `make models` on the labelled sets
// named in NOTICE and docs/TEXT.md.
//
//go:embed models
var builtinFS embed.FS

var builtins = struct {
	once   sync.Once
	models map[string]*Model
	err    error
}{}

// Builtin returns the built-in model of a language.
func Builtin(lang string) (*Model, error) {
	builtins.once.Do(func() {
		builtins.models = map[string]*Model{}
		for _, l := range Languages() {
			b, err := builtinFS.ReadFile("models/" + l + ".tpm")
			if err != nil {
				builtins.err = fmt.Errorf("built-in model %s: %w", l, err)
				return
			}
			m, err := ReadModel(bytes.NewReader(b))
			if err != nil {
				builtins.err = fmt.Errorf("built-in model %s: %w", l, err)
				return
			}
			builtins.models[l] = m
		}
	})
	if builtins.err != nil {
		return nil, builtins.err
	}
	m, ok := builtins.models[lang]
	if !ok {
		return nil, touchpoint.FieldError("language", "unsupported language %q (want en, vi, th or fa)", lang)
	}
	return m, nil
}

// BuiltinID is the model id of a language's built-in model.
func BuiltinID(lang string) string { return "builtin-" + lang }

// Config configures an Analyzer.
type Config struct {
	// Store keeps workspace models' records and choices. Without it only
	// the built-in models are used and workspace models cannot be managed.
	Store touchpoint.TextModelService
	// Dir holds workspace model files (the data directory's models/).
	Dir string
	// Override, if set, replaces the built-in model of a language for
	// every workspace (the CLI's --model).
	Override map[string]*Model
	Logger   *slog.Logger
	// ChoiceTTL is how long a workspace's choice of models is cached
	// (default 10s). The Analyzer forgets it at once when the choice is
	// changed through it.
	ChoiceTTL time.Duration
	Clock     touchpoint.Clock
}

// Analyzer reads sentiment and topics with each workspace's chosen models.
// It implements touchpoint.TextAnalyzer, touchpoint.TextGrouper and
// touchpoint.TextModelManager. It is safe for concurrent use.
type Analyzer struct {
	cfg Config

	mu      sync.Mutex
	loaded  map[string]*Model       // workspace models by id
	choices map[string]choiceRecord // by workspace
}

type choiceRecord struct {
	choice  map[string]string
	expires time.Time
}

// NewAnalyzer returns an Analyzer; the built-in models load on first use.
func NewAnalyzer(cfg Config) *Analyzer {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ChoiceTTL == 0 {
		cfg.ChoiceTTL = 10 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = touchpoint.SystemClock{}
	}
	return &Analyzer{cfg: cfg, loaded: map[string]*Model{}, choices: map[string]choiceRecord{}}
}

var (
	_ touchpoint.TextAnalyzer     = (*Analyzer)(nil)
	_ touchpoint.TextGrouper      = (*Analyzer)(nil)
	_ touchpoint.TextModelManager = (*Analyzer)(nil)
)

// Analyze reads each text's language (unless lang is given), sentiment
// and taxonomy topics.
func (a *Analyzer) Analyze(ctx context.Context, workspace string, texts []string, lang string) ([]touchpoint.TextAnalysis, error) {
	if lang != "" {
		l, err := ParseLanguage("language", lang)
		if err != nil {
			return nil, err
		}
		lang = l
	}
	models := map[string]modelRef{}
	out := make([]touchpoint.TextAnalysis, len(texts))
	for i, t := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		l := lang
		if l == "" {
			l = Detect(t)
		}
		if !Supported(l) {
			out[i] = touchpoint.TextAnalysis{Language: LangUndetermined, Sentiment: touchpoint.SentimentNeutral, Topics: []string{}}
			continue
		}
		ref, ok := models[l]
		if !ok {
			var err error
			if ref, err = a.model(ctx, workspace, l); err != nil {
				return nil, err
			}
			models[l] = ref
		}
		out[i] = analyze(ref, l, t)
	}
	return out, nil
}

type modelRef struct {
	id string
	m  *Model
}

func analyze(ref modelRef, lang, t string) touchpoint.TextAnalysis {
	norm := Normalize(lang, t)
	p := ref.m.predictVector(ref.m.Info.Features.features(lang, norm))
	c := p.Class()
	res := touchpoint.TextAnalysis{
		Language:   lang,
		Sentiment:  ClassName(c),
		Score:      round(p.Score(), 4),
		Confidence: round(p.Probs[c], 4),
		Topics:     []string{},
		Model:      ref.id,
	}
	for i, kw := range topicHits(lang, norm) {
		if kw != "" {
			res.Topics = append(res.Topics, taxonomy[i].name)
		}
	}
	return res
}

// round keeps a few digits: more would only be noise in the JSON.
func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// GroupTexts analyses texts and groups them into themes (see Group).
func (a *Analyzer) GroupTexts(ctx context.Context, workspace string, texts []string, opts touchpoint.ThemeOptions) ([]touchpoint.TextTheme, error) {
	res, err := a.Analyze(ctx, workspace, texts, opts.Language)
	if err != nil {
		return nil, err
	}
	docs := make([]Doc, len(texts))
	for i, t := range texts {
		docs[i] = Doc{Text: t, Language: res[i].Language, Sentiment: res[i].Sentiment}
	}
	return Group(docs, opts), nil
}

// model returns the model a workspace uses for lang: its choice if it
// made one and the model loads, the built-in model otherwise. A chosen
// model that cannot be loaded (its file is gone or damaged) is logged and
// the built-in one used, so analysis goes on; the result's model id shows
// which model read the text.
func (a *Analyzer) model(ctx context.Context, workspace, lang string) (modelRef, error) {
	if m, ok := a.cfg.Override[lang]; ok {
		return modelRef{id: "file", m: m}, nil
	}
	if a.cfg.Store != nil {
		choice, err := a.choice(ctx, workspace)
		if err != nil {
			return modelRef{}, err
		}
		if id, ok := choice[lang]; ok {
			m, err := a.load(ctx, workspace, id)
			if err == nil {
				return modelRef{id: id, m: m}, nil
			}
			a.cfg.Logger.Error("workspace text model unusable; using the built-in model", "workspace", workspace, "model", id, "err", err)
		}
	}
	m, err := Builtin(lang)
	if err != nil {
		return modelRef{}, err
	}
	return modelRef{id: BuiltinID(lang), m: m}, nil
}

func (a *Analyzer) choice(ctx context.Context, workspace string) (map[string]string, error) {
	now := a.cfg.Clock.Now()
	a.mu.Lock()
	rec, ok := a.choices[workspace]
	a.mu.Unlock()
	if ok && now.Before(rec.expires) {
		return rec.choice, nil
	}
	c, err := a.cfg.Store.TextModelChoices(ctx, workspace)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.choices[workspace] = choiceRecord{choice: c, expires: now.Add(a.cfg.ChoiceTTL)}
	a.mu.Unlock()
	return c, nil
}

// load reads a workspace model's file once, checking it against its record.
func (a *Analyzer) load(ctx context.Context, workspace, id string) (*Model, error) {
	a.mu.Lock()
	m, ok := a.loaded[id]
	a.mu.Unlock()
	if ok {
		return m, nil
	}
	rec, err := a.cfg.Store.FindTextModel(ctx, workspace, id)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(a.path(id))
	if err != nil {
		return nil, fmt.Errorf("read text model: %w", err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != rec.SHA256 {
		return nil, fmt.Errorf("text model %s: file does not match its record (sha256)", id)
	}
	m, err = ReadModel(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.loaded[id] = m
	a.mu.Unlock()
	return m, nil
}

func (a *Analyzer) path(id string) string { return filepath.Join(a.cfg.Dir, id+".tpm") }

func (a *Analyzer) needStore() error {
	if a.cfg.Store == nil || a.cfg.Dir == "" {
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "workspace models need a data directory")
	}
	return nil
}

// TextModels lists the built-in models, the workspace's and its choice.
func (a *Analyzer) TextModels(ctx context.Context, workspace string) (*touchpoint.TextModels, error) {
	if err := a.needStore(); err != nil {
		return nil, err
	}
	out := &touchpoint.TextModels{Choice: map[string]string{}}
	for _, l := range Languages() {
		bm, err := builtinRecord(l)
		if err != nil {
			return nil, err
		}
		out.Models = append(out.Models, bm)
		out.Choice[l] = bm.ID
	}
	own, err := a.cfg.Store.FindTextModels(ctx, workspace)
	if err != nil {
		return nil, err
	}
	out.Models = append(out.Models, own...)
	choice, err := a.cfg.Store.TextModelChoices(ctx, workspace)
	if err != nil {
		return nil, err
	}
	for l, id := range choice {
		out.Choice[l] = id
	}
	return out, nil
}

func builtinRecord(lang string) (*touchpoint.TextModel, error) {
	m, err := Builtin(lang)
	if err != nil {
		return nil, err
	}
	training, err := json.Marshal(m.Info.Training)
	if err != nil {
		return nil, err
	}
	return &touchpoint.TextModel{ID: BuiltinID(lang), Name: "Built-in " + languageNames[lang], Language: lang, Builtin: true, Training: training}, nil
}

var languageNames = map[string]string{LangEnglish: "English", LangVietnamese: "Vietnamese", LangThai: "Thai", LangPersian: "Persian"}

// TextModel returns a built-in model ("builtin-vi") or a workspace's.
func (a *Analyzer) TextModel(ctx context.Context, workspace, id string) (*touchpoint.TextModel, error) {
	if l, ok := strings.CutPrefix(id, "builtin-"); ok && Supported(l) {
		return builtinRecord(l)
	}
	if err := a.needStore(); err != nil {
		return nil, err
	}
	return a.cfg.Store.FindTextModel(ctx, workspace, id)
}

// AddTextModel checks a model file, keeps it in the models directory and
// records it for the workspace.
func (a *Analyzer) AddTextModel(ctx context.Context, workspace, name string, data []byte, by string) (*touchpoint.TextModel, error) {
	if err := a.needStore(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" {
		return nil, touchpoint.FieldError("name", "required: name the model (e.g. \"support tickets 2026\")")
	}
	m, err := ReadModel(bytes.NewReader(data))
	if err != nil {
		return nil, touchpoint.FieldError("model", "%s", touchpoint.ErrorMessage(err))
	}
	training, err := json.Marshal(m.Info.Training)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	rec := &touchpoint.TextModel{
		ID: "tm_" + strings.ToLower(rand.Text()[:16]), Workspace: workspace, Name: name, Language: m.Info.Language,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Training: training, CreatedBy: by,
	}
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(a.cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("add text model: %w", err)
	}
	tmp := a.path(rec.ID) + ".tmp"
	if err := writeFileSync(tmp, data); err != nil {
		return nil, fmt.Errorf("add text model: %w", err)
	}
	if err := os.Rename(tmp, a.path(rec.ID)); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("add text model: %w", err)
	}
	if err := a.cfg.Store.CreateTextModel(ctx, rec); err != nil {
		os.Remove(a.path(rec.ID))
		return nil, err
	}
	return rec, nil
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// RemoveTextModel deletes a workspace model's record and file.
func (a *Analyzer) RemoveTextModel(ctx context.Context, workspace, id string) error {
	if strings.HasPrefix(id, "builtin") {
		return touchpoint.Errorf(touchpoint.EINVALID, "built-in models cannot be removed")
	}
	if err := a.needStore(); err != nil {
		return err
	}
	if err := a.cfg.Store.DeleteTextModel(ctx, workspace, id); err != nil {
		return err
	}
	a.mu.Lock()
	delete(a.loaded, id)
	a.mu.Unlock()
	if err := os.Remove(a.path(id)); err != nil && !os.IsNotExist(err) {
		a.cfg.Logger.Warn("text model file not removed", "model", id, "err", err)
	}
	return nil
}

// UseTextModel sets the workspace's model for a language.
func (a *Analyzer) UseTextModel(ctx context.Context, workspace, lang, model, by string) (*touchpoint.TextModels, error) {
	if err := a.needStore(); err != nil {
		return nil, err
	}
	l, err := ParseLanguage("language", lang)
	if err != nil {
		return nil, err
	}
	switch {
	case model == "":
		return nil, touchpoint.FieldError("model", "required: a model id, or builtin")
	case model == touchpoint.BuiltinModel || model == BuiltinID(l):
		model = touchpoint.BuiltinModel
	case strings.HasPrefix(model, "builtin-"):
		return nil, touchpoint.FieldError("model", "%s is not the built-in model for %s (that is %s)", model, l, BuiltinID(l))
	default:
		// Load it now, so that a model whose file is missing or damaged
		// is refused here rather than ignored on every analysis.
		if _, err := a.load(ctx, workspace, model); err != nil {
			if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
				return nil, err
			}
			return nil, touchpoint.Errorf(touchpoint.EINVALID, "text model %s cannot be used: %s", model, err.Error())
		}
	}
	if err := a.cfg.Store.SetTextModelChoice(ctx, workspace, l, model, by); err != nil {
		return nil, err
	}
	a.Forget(workspace)
	return a.TextModels(ctx, workspace)
}

// Forget drops the cached model choice of a workspace.
func (a *Analyzer) Forget(workspace string) {
	a.mu.Lock()
	delete(a.choices, workspace)
	a.mu.Unlock()
}
