package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// Limits of the text analysis API. A request is refused whole, with the
// field named, rather than cut short.
const (
	// MaxAnalyzeTexts is how many texts one analyze request may carry.
	MaxAnalyzeTexts = 1000
	// MaxThemeTexts is how many texts one themes request may group.
	MaxThemeTexts = 5000
	// MaxTextChars is the longest text, in characters.
	MaxTextChars = 5000
	// maxTextBody bounds a text request's body.
	maxTextBody = 24 << 20
	// MaxModelBytes bounds an uploaded model file.
	MaxModelBytes = 32 << 20
)

func (s *Server) textRoutes(r chi.Router) {
	r.With(s.require(touchpoint.PermFeedbackRead)).Post("/text/analyze", s.handle(s.handleAnalyzeText))
	r.With(s.require(touchpoint.PermFeedbackRead)).Post("/text/themes", s.handle(s.handleTextThemes))
	r.Group(func(r chi.Router) {
		r.Use(s.require(touchpoint.PermWorkspaceAdmin))
		r.Get("/text/models", s.handle(s.handleTextModels))
		r.Post("/text/models", s.handle(s.handleAddTextModel))
		r.Get("/text/models/{id}", s.handle(s.handleTextModel))
		r.Delete("/text/models/{id}", s.handle(s.handleRemoveTextModel))
		r.Put("/text/choice", s.handle(s.handleUseTextModel))
	})
}

// AnalyzeTextRequest is the body of POST /api/v1/text/analyze.
type AnalyzeTextRequest struct {
	Texts []string `json:"texts"`
	// Language, if set, is the language of every text (en, vi, th, fa);
	// otherwise each text's language is detected.
	Language string `json:"language,omitempty"`
}

// AnalyzeTextResponse is the answer: one result per text, in order.
type AnalyzeTextResponse struct {
	Results []touchpoint.TextAnalysis `json:"results"`
}

// ThemesRequest is the body of POST /api/v1/text/themes.
type ThemesRequest struct {
	Texts    []string `json:"texts"`
	Language string   `json:"language,omitempty"`
	// Examples per theme (default 3, at most 20).
	Examples int `json:"examples,omitempty"`
	// Discover is how many themes beyond the taxonomy to look for
	// (default 8, at most 50; -1 for none).
	Discover int `json:"discover,omitempty"`
	// MinCount is how many texts a discovered theme needs.
	MinCount int `json:"min_count,omitempty"`
}

// ThemesResponse is the answer to POST /api/v1/text/themes.
type ThemesResponse struct {
	Texts  int                    `json:"texts"`
	Themes []touchpoint.TextTheme `json:"themes"`
}

// decodeTextBody decodes a JSON body of up to maxTextBody bytes.
func decodeTextBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxTextBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return touchpoint.Errorf(touchpoint.ETOOLARGE, "request body larger than %d MB", maxTextBody>>20)
		}
		return touchpoint.Errorf(touchpoint.EINVALID, "invalid JSON body: %s", err.Error())
	}
	return nil
}

// checkTexts enforces the limits on a request's texts.
func checkTexts(texts []string, max int) error {
	if len(texts) == 0 {
		return touchpoint.FieldError("texts", "required: a list of 1 to %d texts", max)
	}
	if len(texts) > max {
		return tooLarge("texts", "at most %d texts per request, got %d; send them in several requests", max, len(texts))
	}
	for i, t := range texts {
		if n := utf8.RuneCountInString(t); n > MaxTextChars {
			return tooLarge(fmt.Sprintf("texts[%d]", i), "%d characters, at most %d are read", n, MaxTextChars)
		}
	}
	return nil
}

// tooLarge is an ETOOLARGE error about one field, worded like FieldError.
func tooLarge(field, format string, args ...any) error {
	return &touchpoint.Error{Code: touchpoint.ETOOLARGE, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

func (s *Server) textAnalyzer() (touchpoint.TextAnalyzer, error) {
	if s.cfg.Text == nil {
		return nil, touchpoint.Errorf(touchpoint.EUNAVAILABLE, "text analysis is not available on this server")
	}
	return s.cfg.Text, nil
}

func (s *Server) handleAnalyzeText(w http.ResponseWriter, r *http.Request) error {
	ta, err := s.textAnalyzer()
	if err != nil {
		return err
	}
	var req AnalyzeTextRequest
	if err := decodeTextBody(r, &req); err != nil {
		return err
	}
	if err := checkTexts(req.Texts, MaxAnalyzeTexts); err != nil {
		return err
	}
	res, err := ta.Analyze(r.Context(), workspaceOf(r), req.Texts, req.Language)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, AnalyzeTextResponse{Results: res})
	return nil
}

func (s *Server) handleTextThemes(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.TextGroups == nil {
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "text analysis is not available on this server")
	}
	var req ThemesRequest
	if err := decodeTextBody(r, &req); err != nil {
		return err
	}
	if err := checkTexts(req.Texts, MaxThemeTexts); err != nil {
		return err
	}
	switch {
	case req.Examples < 0 || req.Examples > 20:
		return touchpoint.FieldError("examples", "must be from 0 to 20")
	case req.Discover < -1 || req.Discover > 50:
		return touchpoint.FieldError("discover", "must be from -1 (none) to 50")
	case req.MinCount < 0:
		return touchpoint.FieldError("min_count", "must not be negative")
	}
	themes, err := s.cfg.TextGroups.GroupTexts(r.Context(), workspaceOf(r), req.Texts, touchpoint.ThemeOptions{
		Language: req.Language, Examples: req.Examples, Discover: req.Discover, MinCount: req.MinCount,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ThemesResponse{Texts: len(req.Texts), Themes: themes})
	return nil
}

func (s *Server) textModels() (touchpoint.TextModelManager, error) {
	if s.cfg.TextModels == nil {
		return nil, touchpoint.Errorf(touchpoint.EUNAVAILABLE, "text models are not available on this server")
	}
	return s.cfg.TextModels, nil
}

func (s *Server) handleTextModels(w http.ResponseWriter, r *http.Request) error {
	tm, err := s.textModels()
	if err != nil {
		return err
	}
	out, err := tm.TextModels(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleAddTextModel stores a model file sent as the body, named by the
// name query parameter.
func (s *Server) handleAddTextModel(w http.ResponseWriter, r *http.Request) error {
	tm, err := s.textModels()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxModelBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge("model", "larger than %d MB", MaxModelBytes>>20)
		}
		return touchpoint.Errorf(touchpoint.EINVALID, "read model file: %s", err.Error())
	}
	if len(data) == 0 {
		return touchpoint.FieldError("model", "required: send the model file (touchpoint text train --out FILE) as the body")
	}
	m, err := tm.AddTextModel(r.Context(), workspaceOf(r), r.URL.Query().Get("name"), data, actorFrom(r).String())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) handleTextModel(w http.ResponseWriter, r *http.Request) error {
	tm, err := s.textModels()
	if err != nil {
		return err
	}
	m, err := tm.TextModel(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) handleRemoveTextModel(w http.ResponseWriter, r *http.Request) error {
	tm, err := s.textModels()
	if err != nil {
		return err
	}
	if err := tm.RemoveTextModel(r.Context(), workspaceOf(r), chi.URLParam(r, "id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// UseTextModelRequest is the body of PUT /api/v1/text/choice.
type UseTextModelRequest struct {
	Language string `json:"language"`
	// Model is a workspace model id, or "builtin" for the built-in model.
	Model string `json:"model"`
}

func (s *Server) handleUseTextModel(w http.ResponseWriter, r *http.Request) error {
	tm, err := s.textModels()
	if err != nil {
		return err
	}
	var req UseTextModelRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if req.Language == "" {
		return touchpoint.FieldError("language", "required: en, vi, th or fa")
	}
	out, err := tm.UseTextModel(r.Context(), workspaceOf(r), req.Language, req.Model, actorFrom(r).String())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
