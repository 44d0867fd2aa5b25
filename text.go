package touchpoint

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// Languages whose text Touchpoint analyses on the machine. Other text is
// reported with language "und" (undetermined) and neutral sentiment.
const (
	LangEnglish      = "en"
	LangVietnamese   = "vi"
	LangThai         = "th"
	LangPersian      = "fa"
	LangUndetermined = "und"
)

// Sentiments a text can carry.
const (
	SentimentPositive = "positive"
	SentimentNeutral  = "neutral"
	SentimentNegative = "negative"
)

// TextAnalysis is what Touchpoint reads from one piece of customer text: a
// comment, a ticket, a review.
type TextAnalysis struct {
	Language  string `json:"language"`
	Sentiment string `json:"sentiment"`
	// Score runs from -1 (most negative) to 1 (most positive).
	Score float64 `json:"score"`
	// Confidence is the model's probability for the sentiment it chose.
	Confidence float64  `json:"confidence"`
	Topics     []string `json:"topics"`
	// Model names the sentiment model that read the text: "builtin-vi"
	// for a built-in model, a workspace model's id otherwise; empty when
	// no model applies (language "und").
	Model string `json:"model,omitempty"`
}

// TextAnalyzer computes sentiment and topics without any outside service.
type TextAnalyzer interface {
	// Analyze reads each text with the workspace's chosen models. lang, if
	// not empty, is the language of every text; otherwise it is detected
	// per text. Returns EINVALID for an unsupported lang.
	Analyze(ctx context.Context, workspace string, texts []string, lang string) ([]TextAnalysis, error)
}

// TextTheme is one theme found in a set of texts: a subject of the CX
// taxonomy (delivery, price, customer service…) or a key phrase many texts
// share that the taxonomy does not name.
type TextTheme struct {
	// Name is the taxonomy topic ("delivery") or, for a discovered theme,
	// its most frequent key phrase ("giảng viên").
	Name string `json:"name"`
	// Kind is "taxonomy" or "discovered".
	Kind string `json:"kind"`
	// Keywords are the words and phrases of the texts that put them in
	// the theme, most frequent first.
	Keywords []string `json:"keywords"`
	// Count is how many texts touch the theme; Texts are their indexes in
	// the input, in input order.
	Count int   `json:"count"`
	Texts []int `json:"texts"`
	// Examples are a few of the texts, chosen for being readable.
	Examples []string `json:"examples"`
	// Sentiment counts the theme's texts by sentiment.
	Sentiment ThemeSentiment `json:"sentiment"`
}

// ThemeSentiment counts a theme's texts by sentiment.
type ThemeSentiment struct {
	Positive int `json:"positive"`
	Neutral  int `json:"neutral"`
	Negative int `json:"negative"`
}

// Kinds of TextTheme.
const (
	ThemeTaxonomy   = "taxonomy"
	ThemeDiscovered = "discovered"
)

// ThemeOptions tune how texts are grouped. Zero values take the defaults.
type ThemeOptions struct {
	// Language, if set, is the language of every text; otherwise each
	// text's language is detected.
	Language string
	// Examples is how many example texts each theme carries (default 3).
	Examples int
	// Discover is how many themes beyond the taxonomy may be found in the
	// texts' own words (default 8; -1 for none).
	Discover int
	// MinCount is how many texts a discovered theme needs (default 2, or
	// 1% of the texts if more).
	MinCount int
}

// TextGrouper groups texts into themes. The feedback inbox and survey
// results use it to show what comments are about.
type TextGrouper interface {
	// GroupTexts returns the themes of texts, most common first, each with
	// its count, the indexes of its texts, examples and a sentiment count
	// read with the workspace's models. Returns EINVALID for an
	// unsupported language.
	GroupTexts(ctx context.Context, workspace string, texts []string, opts ThemeOptions) ([]TextTheme, error)
}

// TextModel is a sentiment model a workspace trained on its own labelled
// texts (touchpoint text train) and registered. Built-in models are listed
// beside them with Builtin set.
type TextModel struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace,omitempty"`
	Name      string `json:"name"`
	Language  string `json:"language"`
	Builtin   bool   `json:"builtin,omitempty"`
	// SHA256 and Size identify the model file, kept in the data directory.
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
	// Training describes the data the model was trained on and its
	// accuracy on the part held out (JSON, as stored in the model file).
	Training  json.RawMessage `json:"training,omitempty"`
	CreatedBy string          `json:"created_by,omitempty"`
	CreatedAt time.Time       `json:"created_at,omitzero"`
}

// BuiltinModel is the model id that stands for a language's built-in model
// in a workspace's choice.
const BuiltinModel = "builtin"

// TextModelService stores the records of workspace text models and each
// workspace's choice of model per language. The model files themselves
// live in the data directory.
type TextModelService interface {
	// CreateTextModel records a model. ID, Workspace, Name, Language,
	// SHA256 and Size must be set; CreatedAt is set here. Returns
	// ECONFLICT if the id is taken.
	CreateTextModel(ctx context.Context, m *TextModel) error
	// FindTextModel returns ENOTFOUND if the workspace has no such model.
	FindTextModel(ctx context.Context, workspace, id string) (*TextModel, error)
	// FindTextModels lists the workspace's models, newest first.
	FindTextModels(ctx context.Context, workspace string) ([]*TextModel, error)
	// DeleteTextModel removes a model's record. Returns ENOTFOUND if there
	// is none, ECONFLICT if the workspace has chosen it for a language.
	DeleteTextModel(ctx context.Context, workspace, id string) error
	// TextModelChoices returns the workspace's chosen model per language;
	// a language it has not chosen for is absent (the built-in model).
	TextModelChoices(ctx context.Context, workspace string) (map[string]string, error)
	// SetTextModelChoice makes model the workspace's model for lang;
	// BuiltinModel goes back to the built-in one. Returns ENOTFOUND for
	// an unknown model, EINVALID if it reads another language.
	SetTextModelChoice(ctx context.Context, workspace, lang, model, by string) error
}

// TextModels is a workspace's view of its sentiment models: the built-in
// ones, its own, and which one it uses for each language.
type TextModels struct {
	Models []*TextModel `json:"models"`
	// Choice maps each language to the id of the model used for it.
	Choice map[string]string `json:"choice"`
}

// TextModelManager registers, lists, chooses and removes the models a
// workspace's text analysis uses. The API and CLI go through it.
type TextModelManager interface {
	// TextModels lists the built-in and workspace models and the choice.
	TextModels(ctx context.Context, workspace string) (*TextModels, error)
	// TextModel returns one model, built-in ("builtin-vi") or the
	// workspace's. Returns ENOTFOUND.
	TextModel(ctx context.Context, workspace, id string) (*TextModel, error)
	// AddTextModel checks and stores a model file (what touchpoint text
	// train writes) under a name. Returns EINVALID if data is not a model
	// file, naming field "model", or name is empty (field "name").
	AddTextModel(ctx context.Context, workspace, name string, data []byte, by string) (*TextModel, error)
	// RemoveTextModel deletes a workspace model and its file. Returns
	// ENOTFOUND, or ECONFLICT while it is chosen for its language.
	RemoveTextModel(ctx context.Context, workspace, id string) error
	// UseTextModel makes model ("builtin", a built-in id or a workspace
	// model id) the workspace's model for lang and returns the new state.
	UseTextModel(ctx context.Context, workspace, lang, model, by string) (*TextModels, error)
}

// IsTextLanguage reports whether lang is one Touchpoint has models for.
func IsTextLanguage(lang string) bool {
	switch lang {
	case LangEnglish, LangVietnamese, LangThai, LangPersian:
		return true
	}
	return false
}

// Validate checks a text model's record before it is stored.
func (m *TextModel) Validate() error {
	switch {
	case m.ID == "":
		return FieldError("id", "required")
	case strings.TrimSpace(m.Name) == "":
		return FieldError("name", "required: name the model (e.g. \"support tickets 2026\")")
	case utf8.RuneCountInString(m.Name) > 100:
		return FieldError("name", "at most 100 characters")
	case !IsTextLanguage(m.Language):
		return FieldError("language", "unsupported language %q (want en, vi, th or fa)", m.Language)
	case m.SHA256 == "" || m.Size <= 0:
		return FieldError("model", "model file hash and size are required")
	}
	return nil
}
