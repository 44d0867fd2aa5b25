package web

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/survey"
)

func (d *Dashboard) surveyPages() []*Page {
	charts := []string{"build/echarts.js"}
	return []*Page{
		{Section: "Insights", Title: "Surveys", Path: "/surveys", Nav: true, Icon: "survey",
			Permission: touchpoint.PermFeedbackRead, Template: "surveys.html", Load: d.loadSurveys},
		{Section: "Insights", Title: "New survey", Path: "/surveys/new",
			Permission: touchpoint.PermSurveysWrite, Template: "survey_builder.html", Scripts: []string{"builder.js"}, Load: d.loadBuilder},
		{Section: "Insights", Title: "Edit survey", Path: "/surveys/{id}/edit",
			Permission: touchpoint.PermSurveysWrite, Template: "survey_builder.html", Scripts: []string{"builder.js"}, Load: d.loadBuilder},
		{Section: "Insights", Title: "Survey results", Path: "/surveys/{id}",
			Permission: touchpoint.PermFeedbackRead, Template: "survey_results.html", Scripts: charts, Load: d.loadResults},
	}
}

// SurveysData is what the surveys page shows.
type SurveysData struct {
	Surveys []SurveyRow
	// Headline is NPS, CSAT and CES over every survey and source in the
	// last 90 days.
	Headline []Figure
	Settings touchpoint.SurveySettings
}

// SurveyRow is a survey with its figures at a glance, over all time.
type SurveyRow struct {
	*touchpoint.Survey
	Responses int64
	Sent      int64
	// Figure is the survey's metric; its Metric is empty for surveys that
	// are not scored.
	Figure Figure
	// Rate is the share of invitations answered, when invitations were sent.
	Rate *float64
}

// KindLabel names a survey's type for people.
func (r SurveyRow) KindLabel() string { return kindLabel(string(r.Type)) }

func kindLabel(t string) string {
	for _, k := range surveyKinds {
		if k.Type == t {
			return k.Label
		}
	}
	return titleCase(t)
}

func (d *Dashboard) loadSurveys(r *http.Request, v *View) error {
	ctx, ws := r.Context(), v.Workspace.ID
	list, err := d.cfg.Surveys.FindSurveys(ctx, touchpoint.SurveyFilter{Workspace: ws})
	if err != nil {
		return err
	}
	data := SurveysData{}
	if data.Settings, err = d.cfg.Surveys.SurveySettings(ctx, ws); err != nil {
		return err
	}
	now := d.cfg.Clock.Now()
	if data.Headline, err = d.headline(ctx, ws, now.Add(-90*24*time.Hour), now.Add(time.Minute)); err != nil {
		return err
	}
	// One query per kind of score and one for invitations, each broken
	// down by survey, whatever the number of surveys.
	counts := map[string]map[string][]touchpoint.ScoreCount{}
	for _, sv := range list {
		k := kindOf(sv)
		if k == nil || counts[k.surveyType] != nil {
			continue
		}
		groups, err := d.cfg.Metrics.ScoreCounts(ctx, touchpoint.MetricQuery{Workspace: ws, SurveyType: k.surveyType, By: "survey"})
		if err != nil {
			return err
		}
		counts[k.surveyType] = map[string][]touchpoint.ScoreCount{}
		for _, g := range groups {
			counts[k.surveyType][g.Key] = g.Counts
		}
	}
	rates := map[string]touchpoint.RateGroup{}
	if len(list) > 0 {
		groups, err := d.cfg.Metrics.ResponseCounts(ctx, touchpoint.MetricQuery{Workspace: ws, By: "survey"})
		if err != nil {
			return err
		}
		for _, g := range groups {
			rates[g.Key] = g
		}
	}
	for _, sv := range list {
		row := SurveyRow{Survey: sv}
		rg := rates[sv.ID]
		row.Sent, row.Responses = rg.Sent, rg.Responded
		if rr := touchpoint.ComputeResponseRate(rg.Sent, rg.Responded, rg.Completed); rr.ResponseRate != nil {
			row.Rate = rr.ResponseRate
		}
		if k := kindOf(sv); k != nil {
			row.Figure = k.compute(counts[k.surveyType][sv.ID]).Figure
			// Answers given without an invitation (imports, older apps)
			// still count as responses.
			row.Responses = max(row.Responses, row.Figure.Responses)
		}
		data.Surveys = append(data.Surveys, row)
	}
	v.Data = data
	return nil
}

// SurveyKind is a choice of the builder's kind picker.
type SurveyKind struct {
	Type        string `json:"type"`
	Question    string `json:"question"`
	Label       string `json:"label"`
	Description string `json:"description"`
}

var surveyKinds = []SurveyKind{
	{"nps", "nps", "NPS", "Net Promoter Score: how likely to recommend, 0–10"},
	{"csat", "csat", "CSAT", "Satisfaction with an interaction, 1–5"},
	{"ces", "ces", "CES", "Customer effort: how easy it was, 1–7"},
	{"product_satisfaction", "product_satisfaction", "Product satisfaction", "Satisfaction with a product, 1–5"},
	{"text", "text", "Open text", "One question answered in the customer's words"},
	{"choice", "single_choice", "Single choice", "Pick one answer from a list"},
	{"choice", "multiple_choice", "Multiple choice", "Pick any answers from a list"},
	{"rating", "rating", "Rating", "Stars or points, 3 to 10"},
}

// BuilderLanguage is a language a survey can be written or translated in.
type BuilderLanguage struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Dir     string `json:"dir"`
	Builtin bool   `json:"builtin"`
}

// builderLanguages are offered by the builder; any other code can be typed.
var builderLanguages = []struct{ code, name string }{
	{"en", "English"}, {"vi", "Tiếng Việt"}, {"th", "ไทย"}, {"fa", "فارسی"}, {"ar", "العربية"}, {"he", "עברית"},
	{"ur", "اردو"}, {"id", "Bahasa Indonesia"}, {"ms", "Bahasa Melayu"}, {"zh", "中文"}, {"ja", "日本語"}, {"ko", "한국어"},
	{"hi", "हिन्दी"}, {"fr", "Français"}, {"de", "Deutsch"}, {"es", "Español"}, {"pt", "Português"}, {"pt-BR", "Português (Brasil)"},
}

// BuiltinText is a standard question's built-in words in one language.
type BuiltinText struct {
	Text     string `json:"text"`
	MinLabel string `json:"min_label,omitempty"`
	MaxLabel string `json:"max_label,omitempty"`
}

// BuilderData is what the survey builder starts from, embedded in the
// page as JSON for its script.
type BuilderData struct {
	// Survey is nil for a new survey.
	Survey    *touchpoint.Survey `json:"survey"`
	Kinds     []SurveyKind       `json:"kinds"`
	Languages []BuilderLanguage  `json:"languages"`
	// Builtin holds the built-in texts by language and question type, so
	// the builder can say what a respondent sees when a text is left empty.
	Builtin map[string]map[string]BuiltinText `json:"builtin"`
	// ThankYou is the built-in thank-you message by language.
	ThankYou map[string]string `json:"thank_you"`
	Sources  []WidgetSource    `json:"sources"`
	// Base is where customers reach this server: widget snippets and
	// personal links start with it.
	Base     string `json:"base"`
	Cooldown int    `json:"cooldown_days"`
	// RTL lists language codes written right to left.
	RTL []string `json:"rtl"`
}

// WidgetSource is a write key the widget snippet can carry.
type WidgetSource struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	WriteKey string `json:"write_key"`
}

func (d *Dashboard) loadBuilder(r *http.Request, v *View) error {
	ctx, ws := r.Context(), v.Workspace.ID
	data := BuilderData{Kinds: surveyKinds, Builtin: builtinTexts(), ThankYou: map[string]string{}, Base: d.publicBase(v), Sources: []WidgetSource{}}
	if id := chi.URLParam(r, "id"); id != "" {
		sv, err := d.cfg.Surveys.FindSurvey(ctx, ws, id)
		if err != nil {
			return err
		}
		data.Survey = sv
		v.Title = "Edit " + sv.Name
	}
	for _, l := range builderLanguages {
		data.Languages = append(data.Languages, BuilderLanguage{Code: l.code, Name: l.name, Dir: touchpoint.TextDirection(l.code),
			Builtin: slices.Contains(touchpoint.BuiltinLanguages(), l.code)})
	}
	for _, l := range []string{"ar", "fa", "he", "iw", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "syr"} {
		if touchpoint.TextDirection(l) == "rtl" {
			data.RTL = append(data.RTL, l)
		}
	}
	for _, l := range touchpoint.BuiltinLanguages() {
		data.ThankYou[l] = touchpoint.UIStrings(l)["thank_you"]
	}
	st, err := d.cfg.Surveys.SurveySettings(ctx, ws)
	if err != nil {
		return err
	}
	data.Cooldown = st.CooldownDays
	sources, err := d.cfg.Sources.FindSources(ctx, touchpoint.SourceFilter{Workspace: &ws})
	if err != nil {
		return err
	}
	// Website sources first: the widget runs on web pages.
	slices.SortStableFunc(sources, func(a, b *touchpoint.Source) int {
		return boolOrder(b.Type == "web") - boolOrder(a.Type == "web")
	})
	for _, s := range sources {
		data.Sources = append(data.Sources, WidgetSource{Name: s.Name, Type: s.Type, WriteKey: s.WriteKey})
	}
	v.Data = data
	return nil
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

// builtinTexts are the words of the standard questions in every built-in
// language, read through Localize so they are exactly what respondents see.
func builtinTexts() map[string]map[string]BuiltinText {
	out := map[string]map[string]BuiltinText{}
	for _, lang := range touchpoint.BuiltinLanguages() {
		out[lang] = map[string]BuiltinText{}
		for _, t := range []touchpoint.SurveyType{touchpoint.SurveyNPS, touchpoint.SurveyCSAT, touchpoint.SurveyCES, touchpoint.SurveyProduct} {
			sv := &touchpoint.Survey{Language: lang, Type: t, Questions: touchpoint.StandardQuestions(t)}
			ls, err := sv.Localize(lang)
			if err != nil || len(ls.Questions) < 2 {
				continue
			}
			q := ls.Questions[0]
			out[lang][string(t)] = BuiltinText{Text: q.Text, MinLabel: q.MinLabel, MaxLabel: q.MaxLabel}
			out[lang]["text"] = BuiltinText{Text: ls.Questions[1].Text}
		}
	}
	return out
}

// previewForm is the builder's request for a preview frame: the draft as
// JSON, the language, the answers so far and which view to draw.
const (
	previewPage  = "page"
	previewEmail = "email"
)

// handleSurveyPreview draws the builder's live preview: the hosted page or
// the email block of a draft survey, in a document of its own. The builder
// posts its form into a sandboxed iframe; the answer carries its own
// Content-Security-Policy (the survey page's, with a fresh nonce, plus
// sandbox), because an iframe's srcdoc would inherit the dashboard's
// policy, which allows no inline style. Every text is escaped by the
// survey package's templates.
func (d *Dashboard) handleSurveyPreview(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// The frame is shown inside the builder, on this site only.
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	var sv touchpoint.Survey
	var answers []touchpoint.Answer
	err := json.Unmarshal([]byte(r.PostFormValue("survey")), &sv)
	if err == nil && r.PostFormValue("answers") != "" {
		err = json.Unmarshal([]byte(r.PostFormValue("answers")), &answers)
	}
	var pv *survey.Preview
	if err != nil {
		err = touchpoint.Errorf(touchpoint.EINVALID, "the draft is not valid JSON: %s", err.Error())
	} else {
		sv.Workspace = sessionFrom(r).actor.Workspace
		pv, err = survey.MakePreview(&sv, r.PostFormValue("language"), answers)
	}
	nonce := survey.NewNonce()
	var buf bytes.Buffer
	switch {
	case err != nil:
		p := survey.MessagePage("en", touchpoint.ErrorMessage(err))
		p.Nonce = nonce
		err = survey.RenderPage(&buf, p)
		h.Set("Content-Security-Policy", survey.CSP(nonce)+"; sandbox")
	case r.PostFormValue("view") == previewEmail:
		// An email's styles are attributes on its elements: the frame
		// allows inline styles and nothing else, and runs no script.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox")
		buf.WriteString(`<!doctype html><html lang="` + html.EscapeString(pv.Language) + `" dir="` + html.EscapeString(pv.Dir) + `"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>` +
			`<body style="margin:0;padding:20px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;">`)
		buf.WriteString(pv.EmailHTML) // rendered by html/template: every text is escaped
		buf.WriteString(`</body></html>`)
	default:
		p := pv.Page
		p.Nonce = nonce
		err = survey.RenderPage(&buf, p)
		h.Set("Content-Security-Policy", survey.CSP(nonce)+"; sandbox")
	}
	if err != nil && buf.Len() == 0 {
		d.logger.Error("render survey preview", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Write(buf.Bytes())
}

// vocRoutes are the routes of the voice-of-the-customer pages that are
// not pages: the builder's preview frame and the inbox's CSV export. Each
// checks its permission like a page does.
func (d *Dashboard) vocRoutes(r chi.Router) {
	r.Post("/surveys/preview", d.allow(touchpoint.PermSurveysWrite, d.handleSurveyPreview))
	r.Get("/feedback/export.csv", d.allow(touchpoint.PermFeedbackRead, d.handleFeedbackCSV))
}

// allow lets a request through to h only if the session's role grants p.
func (d *Dashboard) allow(p touchpoint.Permission, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s := sessionFrom(r); !s.actor.Can(p) {
			d.renderError(w, r, touchpoint.Forbidden(s.actor, p))
			return
		}
		h(w, r)
	}
}

// statusBadge is the badge colour of a survey status.
func statusBadge(status string) string {
	switch status {
	case touchpoint.SurveyActive:
		return "badge-green"
	case touchpoint.SurveyPaused:
		return "badge-amber"
	case touchpoint.SurveyArchived:
		return "badge-muted"
	}
	return ""
}

// languageName names a language code for people, or returns the code.
func languageName(code string) string {
	for _, l := range builderLanguages {
		if strings.EqualFold(l.code, code) {
			return l.name
		}
	}
	if code == touchpoint.LangUndetermined {
		return "Other"
	}
	return code
}
