package touchpoint

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// SurveyType is what a survey measures. It is the type of its first
// question, and it is what the Survey Responded event calls survey_type.
type SurveyType string

// Survey types.
const (
	SurveyNPS     SurveyType = "nps"                  // 0-10, likelihood to recommend
	SurveyCSAT    SurveyType = "csat"                 // 1-5, satisfaction with an interaction
	SurveyCES     SurveyType = "ces"                  // 1-7, how easy it was (7 = very easy)
	SurveyProduct SurveyType = "product_satisfaction" // 1-5, satisfaction with a product
	SurveyRating  SurveyType = "rating"               // 1-N stars
	SurveyChoice  SurveyType = "choice"               // single or multiple choice
	SurveyText    SurveyType = "text"                 // open text
)

// QuestionType is how one question is asked and answered.
type QuestionType string

// Question types. The scored ones have a fixed scale, except rating whose
// maximum the survey chooses.
const (
	QuestionNPS            QuestionType = "nps"
	QuestionCSAT           QuestionType = "csat"
	QuestionCES            QuestionType = "ces"
	QuestionProduct        QuestionType = "product_satisfaction"
	QuestionRating         QuestionType = "rating"
	QuestionText           QuestionType = "text"
	QuestionSingleChoice   QuestionType = "single_choice"
	QuestionMultipleChoice QuestionType = "multiple_choice"
)

var questionTypes = []QuestionType{QuestionNPS, QuestionCSAT, QuestionCES, QuestionProduct, QuestionRating, QuestionText, QuestionSingleChoice, QuestionMultipleChoice}

// Scored reports whether answers to the question are a number on a scale.
func (t QuestionType) Scored() bool {
	switch t {
	case QuestionNPS, QuestionCSAT, QuestionCES, QuestionProduct, QuestionRating:
		return true
	}
	return false
}

// Choice reports whether the question is answered by picking choices.
func (t QuestionType) Choice() bool {
	return t == QuestionSingleChoice || t == QuestionMultipleChoice
}

// SurveyType is the survey type a survey whose first question is of this
// type has.
func (t QuestionType) SurveyType() SurveyType {
	switch t {
	case QuestionSingleChoice, QuestionMultipleChoice:
		return SurveyChoice
	}
	return SurveyType(t)
}

// Survey statuses. Only active surveys are sent or shown; answers to
// invitations already made are taken until a survey is archived.
const (
	SurveyDraft    = "draft"
	SurveyActive   = "active"
	SurveyPaused   = "paused"
	SurveyArchived = "archived"
)

// Survey is a questionnaire with its delivery rules.
type Survey struct {
	ID        string     `json:"id"`
	Workspace string     `json:"workspace"`
	Name      string     `json:"name"`
	Type      SurveyType `json:"type"`
	Status    string     `json:"status"`
	// Language is the language Questions, Title and ThankYou are written in.
	Language string `json:"language"`
	Title    string `json:"title,omitempty"`
	// ThankYou is shown once the survey is complete.
	ThankYou  string     `json:"thank_you,omitempty"`
	Questions []Question `json:"questions"`
	// Translations holds the survey's texts in other languages, by language
	// code ("vi", "th", "fa", "pt-BR"…).
	Translations map[string]Translation `json:"translations,omitempty"`
	// Touchpoint names the experience the survey asks about ("delivery",
	// "support_ticket"); answers carry it so metrics can be broken down by
	// it. Left empty, each answer is attributed to the customer's last
	// events before answering.
	Touchpoint string       `json:"touchpoint,omitempty"`
	Recontact  Recontact    `json:"recontact"`
	Widget     *WidgetRules `json:"widget,omitempty"`
	// LinkDays is how long a personal link stays valid.
	LinkDays  int       `json:"link_days"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Question is one question of a survey.
type Question struct {
	// ID names the question in answers and conditions; it never changes
	// once a survey has answers.
	ID       string       `json:"id"`
	Type     QuestionType `json:"type"`
	Text     string       `json:"text,omitempty"`
	Required bool         `json:"required,omitempty"`
	// Max is the top of a rating scale (3-10, default 5).
	Max      int      `json:"max,omitempty"`
	MinLabel string   `json:"min_label,omitempty"`
	MaxLabel string   `json:"max_label,omitempty"`
	Choices  []Choice `json:"choices,omitempty"`
	// ShowIf makes the question a follow-up: it is asked only when an
	// earlier answer matches (a score range, or one of some choices). This
	// is how follow-ups by score and branching are written.
	ShowIf *AnswerCondition `json:"show_if,omitempty"`
}

// Choice is one answer of a choice question.
type Choice struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// AnswerCondition tests an earlier answer. Min and Max bound a score
// (inclusive); Any matches when any of the listed choices was picked.
type AnswerCondition struct {
	Question string   `json:"question"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	Any      []string `json:"any,omitempty"`
}

// Translation is a survey's texts in one language. Questions are keyed by
// question id; choices by choice id.
type Translation struct {
	Title     string                         `json:"title,omitempty"`
	ThankYou  string                         `json:"thank_you,omitempty"`
	Questions map[string]QuestionTranslation `json:"questions,omitempty"`
}

// QuestionTranslation is one question's texts in one language.
type QuestionTranslation struct {
	Text     string            `json:"text,omitempty"`
	MinLabel string            `json:"min_label,omitempty"`
	MaxLabel string            `json:"max_label,omitempty"`
	Choices  map[string]string `json:"choices,omitempty"`
}

// Recontact limits how often one customer is asked this survey. The
// workspace's cooldown (SurveySettings) applies on top, across surveys.
type Recontact struct {
	// RetryAfterDays is how long to wait before asking again a customer
	// who was asked and did not answer.
	RetryAfterDays int `json:"retry_after_days"`
	// MaxAsks caps how many times a customer is asked without answering.
	MaxAsks int `json:"max_asks"`
	// RepeatEveryDays makes the survey recurring: a customer who answered
	// is asked again this many days after their last answer (a relationship
	// NPS every 90 days). 0 asks each customer until they answer once.
	RepeatEveryDays int `json:"repeat_every_days,omitempty"`
}

// WidgetRules say when the website widget shows the survey. Every rule
// given must match.
type WidgetRules struct {
	Enabled bool `json:"enabled"`
	// URLs are patterns of the page's address; * matches any run of
	// characters. Empty matches every page.
	URLs []string `json:"urls,omitempty"`
	// Event, if set, waits for this event on the page (an analytics.js
	// track call, or Touchpoint.track in the page).
	Event string `json:"event,omitempty"`
	// DelaySeconds waits this long after the page loads (or the event).
	DelaySeconds int `json:"delay_seconds,omitempty"`
	// SamplePercent shows the survey to this share of eligible visitors,
	// chosen by a stable hash of visitor and survey (0 means 100).
	SamplePercent float64 `json:"sample_percent,omitempty"`
	// Traits must all hold on the visitor's profile.
	Traits []TraitCondition `json:"traits,omitempty"`
	// Segment, if set, is a segment the visitor's profile must be in.
	Segment string `json:"segment,omitempty"`
	// Position is bottom-right (default), bottom-left or center.
	Position string `json:"position,omitempty"`
}

// TraitCondition tests one profile trait. Op is eq, ne, in, exists,
// contains, gt, gte, lt or lte; Value is compared as the trait's JSON type.
type TraitCondition struct {
	Trait string `json:"trait"`
	Op    string `json:"op"`
	Value any    `json:"value,omitempty"`
}

// Limits of a survey definition.
const (
	MaxSurveyQuestions = 30
	MaxQuestionChoices = 30
	MaxSurveyText      = 2000
	MaxAnswerText      = 5000
	DefaultLinkDays    = 30
)

var (
	surveyKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	languagePattern  = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
	traitOps         = []string{"eq", "ne", "in", "exists", "contains", "gt", "gte", "lt", "lte"}
)

// Scale returns the lowest and highest score of a scored question.
func (q *Question) Scale() (lo, hi float64) {
	switch q.Type {
	case QuestionNPS:
		return 0, 10
	case QuestionCSAT, QuestionProduct:
		return 1, 5
	case QuestionCES:
		return 1, 7
	case QuestionRating:
		if q.Max == 0 {
			return 1, 5
		}
		return 1, float64(q.Max)
	}
	return 0, 0
}

// Normalize fills defaults: a survey given only a type gets the standard
// questions of that type (a scale and a follow-up asking for the reason),
// Type follows the first question, and unset limits take their defaults.
func (s *Survey) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	if s.Language == "" {
		s.Language = LangEnglish
	}
	if s.Status == "" {
		s.Status = SurveyDraft
	}
	if len(s.Questions) == 0 && s.Type != "" {
		s.Questions = StandardQuestions(s.Type)
	}
	if s.Type == "" && len(s.Questions) > 0 {
		s.Type = s.Questions[0].Type.SurveyType()
	}
	if s.Recontact.RetryAfterDays == 0 {
		s.Recontact.RetryAfterDays = 14
	}
	if s.Recontact.MaxAsks == 0 {
		s.Recontact.MaxAsks = 3
	}
	if s.LinkDays == 0 {
		s.LinkDays = DefaultLinkDays
	}
	if s.Widget != nil {
		if s.Widget.Position == "" {
			s.Widget.Position = "bottom-right"
		}
		if s.Widget.SamplePercent == 0 {
			s.Widget.SamplePercent = 100
		}
	}
}

// StandardQuestions are the questions a survey of type t starts with: its
// scale (texts come from the built-in translations) and, for scored types,
// an optional follow-up asking for the main reason for the score.
func StandardQuestions(t SurveyType) []Question {
	var first Question
	switch t {
	case SurveyNPS, SurveyCSAT, SurveyCES, SurveyProduct, SurveyRating:
		first = Question{ID: "score", Type: QuestionType(t), Required: true}
	case SurveyText:
		return []Question{{ID: "comment", Type: QuestionText, Required: true}}
	default:
		return nil
	}
	return []Question{first, {ID: "reason", Type: QuestionText}}
}

// Validate returns EINVALID naming the first bad field, in the spelling of
// the JSON body (e.g. "questions[2].show_if.question").
func (s *Survey) Validate() error {
	if s.Workspace == "" {
		return FieldError("workspace", "required")
	}
	if s.Name == "" {
		return FieldError("name", "required")
	} else if len(s.Name) > 200 {
		return FieldError("name", "must be at most 200 characters")
	}
	if !slices.Contains([]string{SurveyDraft, SurveyActive, SurveyPaused, SurveyArchived}, s.Status) {
		return FieldError("status", "must be draft, active, paused or archived, not %q", s.Status)
	}
	if !languagePattern.MatchString(s.Language) {
		return FieldError("language", "%q is not a language code such as en, vi, th, fa or pt-BR", s.Language)
	}
	if len(s.Questions) == 0 {
		return FieldError("questions", "required: give questions, or a type (nps, csat, ces, product_satisfaction, rating, text) for the standard ones")
	}
	if len(s.Questions) > MaxSurveyQuestions {
		return FieldError("questions", "at most %d questions", MaxSurveyQuestions)
	}
	if s.Type != "" && s.Type != s.Questions[0].Type.SurveyType() {
		return FieldError("type", "is %q but the first question is %s", s.Type, s.Questions[0].Type)
	}
	for _, f := range []struct{ name, v string }{{"title", s.Title}, {"thank_you", s.ThankYou}} {
		if len(f.v) > MaxSurveyText {
			return FieldError(f.name, "must be at most %d characters", MaxSurveyText)
		}
	}
	seen := map[string]int{}
	for i := range s.Questions {
		q := &s.Questions[i]
		field := fmt.Sprintf("questions[%d]", i)
		if err := q.validate(field, s.Questions[:i], seen); err != nil {
			return err
		}
		seen[q.ID] = i
		if q.Text == "" && (q.Type.Choice() || q.Type == QuestionRating) {
			return FieldError(field+".text", "required for %s questions", q.Type)
		}
		if q.Text == "" && standardText(s.Language, q) == "" {
			return FieldError(field+".text", "required: there is no built-in %s text for %s questions", s.Language, q.Type)
		}
	}
	if s.Questions[0].ShowIf != nil {
		return FieldError("questions[0].show_if", "the first question is always asked")
	}
	for lang, tr := range s.Translations {
		field := "translations." + lang
		if !languagePattern.MatchString(lang) {
			return FieldError(field, "%q is not a language code", lang)
		}
		for qid, qt := range tr.Questions {
			i, ok := seen[qid]
			if !ok {
				return FieldError(field+".questions."+qid, "no question has id %q", qid)
			}
			for cid := range qt.Choices {
				if !slices.ContainsFunc(s.Questions[i].Choices, func(c Choice) bool { return c.ID == cid }) {
					return FieldError(field+".questions."+qid+".choices."+cid, "question %q has no choice %q", qid, cid)
				}
			}
		}
	}
	if s.Recontact.RetryAfterDays < 0 || s.Recontact.RetryAfterDays > 3650 {
		return FieldError("recontact.retry_after_days", "must be between 0 and 3650")
	}
	if s.Recontact.MaxAsks < 0 || s.Recontact.MaxAsks > 100 {
		return FieldError("recontact.max_asks", "must be between 0 and 100")
	}
	if s.Recontact.RepeatEveryDays < 0 || s.Recontact.RepeatEveryDays > 3650 {
		return FieldError("recontact.repeat_every_days", "must be between 0 and 3650")
	}
	if s.LinkDays < 1 || s.LinkDays > 365 {
		return FieldError("link_days", "must be between 1 and 365")
	}
	if len(s.Touchpoint) > 200 {
		return FieldError("touchpoint", "must be at most 200 characters")
	}
	if w := s.Widget; w != nil {
		if err := w.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (q *Question) validate(field string, earlier []Question, seen map[string]int) error {
	if !surveyKeyPattern.MatchString(q.ID) {
		return FieldError(field+".id", "must be 1-40 lower-case letters, digits or '_', starting with a letter")
	}
	if _, dup := seen[q.ID]; dup {
		return FieldError(field+".id", "%q is used by another question", q.ID)
	}
	if !slices.Contains(questionTypes, q.Type) {
		return FieldError(field+".type", "unknown question type %q (want nps, csat, ces, product_satisfaction, rating, text, single_choice or multiple_choice)", q.Type)
	}
	for _, f := range []struct{ name, v string }{{"text", q.Text}, {"min_label", q.MinLabel}, {"max_label", q.MaxLabel}} {
		if len(f.v) > MaxSurveyText {
			return FieldError(field+"."+f.name, "must be at most %d characters", MaxSurveyText)
		}
	}
	if q.Max != 0 && (q.Type != QuestionRating || q.Max < 3 || q.Max > 10) {
		return FieldError(field+".max", "only rating questions have a max, from 3 to 10")
	}
	if q.Type.Choice() {
		if len(q.Choices) < 2 || len(q.Choices) > MaxQuestionChoices {
			return FieldError(field+".choices", "give 2 to %d choices", MaxQuestionChoices)
		}
		ids := map[string]bool{}
		for j, c := range q.Choices {
			cf := fmt.Sprintf("%s.choices[%d]", field, j)
			if !surveyKeyPattern.MatchString(c.ID) {
				return FieldError(cf+".id", "must be 1-40 lower-case letters, digits or '_', starting with a letter")
			}
			if ids[c.ID] {
				return FieldError(cf+".id", "%q is used by another choice", c.ID)
			}
			ids[c.ID] = true
			if strings.TrimSpace(c.Text) == "" || len(c.Text) > 500 {
				return FieldError(cf+".text", "required, at most 500 characters")
			}
		}
	} else if len(q.Choices) > 0 {
		return FieldError(field+".choices", "only choice questions have choices")
	}
	if c := q.ShowIf; c != nil {
		cf := field + ".show_if"
		i, ok := seen[c.Question]
		if !ok {
			return FieldError(cf+".question", "must name an earlier question, not %q", c.Question)
		}
		target := earlier[i]
		switch {
		case target.Type.Scored():
			if len(c.Any) > 0 {
				return FieldError(cf+".any", "question %q is scored: use min and max", c.Question)
			}
			if c.Min == nil && c.Max == nil {
				return FieldError(cf, "give min, max or both")
			}
			lo, hi := target.Scale()
			for _, b := range []struct {
				name string
				v    *float64
			}{{"min", c.Min}, {"max", c.Max}} {
				if b.v != nil && (*b.v < lo || *b.v > hi || math.IsNaN(*b.v)) {
					return FieldError(cf+"."+b.name, "must be within the scale of %q (%g-%g)", c.Question, lo, hi)
				}
			}
			if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
				return FieldError(cf+".min", "is above max")
			}
		case target.Type.Choice():
			if c.Min != nil || c.Max != nil {
				return FieldError(cf, "question %q is a choice: use any", c.Question)
			}
			if len(c.Any) == 0 {
				return FieldError(cf+".any", "give at least one choice id")
			}
			for _, id := range c.Any {
				if !slices.ContainsFunc(target.Choices, func(ch Choice) bool { return ch.ID == id }) {
					return FieldError(cf+".any", "question %q has no choice %q", c.Question, id)
				}
			}
		default:
			return FieldError(cf+".question", "%q is a text question; follow-ups depend on scores or choices", c.Question)
		}
	}
	return nil
}

func (w *WidgetRules) validate() error {
	if len(w.URLs) > 20 {
		return FieldError("widget.urls", "at most 20 patterns")
	}
	for i, u := range w.URLs {
		if u == "" || len(u) > 500 {
			return FieldError(fmt.Sprintf("widget.urls[%d]", i), "must be 1-500 characters")
		}
	}
	if len(w.Event) > 200 {
		return FieldError("widget.event", "must be at most 200 characters")
	}
	if w.DelaySeconds < 0 || w.DelaySeconds > 3600 {
		return FieldError("widget.delay_seconds", "must be between 0 and 3600")
	}
	if w.SamplePercent < 0 || w.SamplePercent > 100 || math.IsNaN(w.SamplePercent) {
		return FieldError("widget.sample_percent", "must be between 0 and 100")
	}
	for i, tc := range w.Traits {
		f := fmt.Sprintf("widget.traits[%d]", i)
		if tc.Trait == "" || len(tc.Trait) > 200 {
			return FieldError(f+".trait", "required, at most 200 characters")
		}
		if !slices.Contains(traitOps, tc.Op) {
			return FieldError(f+".op", "must be one of %s", strings.Join(traitOps, ", "))
		}
		if tc.Op != "exists" && tc.Value == nil {
			return FieldError(f+".value", "required for op %s", tc.Op)
		}
	}
	if !slices.Contains([]string{"bottom-right", "bottom-left", "center"}, w.Position) {
		return FieldError("widget.position", "must be bottom-right, bottom-left or center")
	}
	return nil
}

// Question returns the question with an id, or nil.
func (s *Survey) Question(id string) *Question {
	for i := range s.Questions {
		if s.Questions[i].ID == id {
			return &s.Questions[i]
		}
	}
	return nil
}

// ScoreQuestion is the survey's first question when it is scored: its
// answer is the response's score.
func (s *Survey) ScoreQuestion() *Question {
	if len(s.Questions) > 0 && s.Questions[0].Type.Scored() {
		return &s.Questions[0]
	}
	return nil
}

// Matches reports whether an answer satisfies the condition.
func (c *AnswerCondition) Matches(a *Answer) bool {
	if a == nil || a.Skipped {
		return false
	}
	if len(c.Any) > 0 {
		for _, id := range a.Choices {
			if slices.Contains(c.Any, id) {
				return true
			}
		}
		return false
	}
	if a.Score == nil {
		return false
	}
	return (c.Min == nil || *a.Score >= *c.Min) && (c.Max == nil || *a.Score <= *c.Max)
}

// Visible reports whether question q is asked given the answers so far.
func (s *Survey) Visible(q *Question, answers []Answer) bool {
	if q.ShowIf == nil {
		return true
	}
	return q.ShowIf.Matches(FindAnswer(answers, q.ShowIf.Question))
}

// NextQuestion returns the first question that is asked given the answers
// so far and is not answered yet, or nil when the survey is complete.
func (s *Survey) NextQuestion(answers []Answer) *Question {
	for i := range s.Questions {
		q := &s.Questions[i]
		if FindAnswer(answers, q.ID) == nil && s.Visible(q, answers) {
			return q
		}
	}
	return nil
}

// Position returns the 1-based place of a question among those asked and
// the number asked so far, for "2 of 3" progress.
func (s *Survey) Position(id string, answers []Answer) (n, total int) {
	for i := range s.Questions {
		q := &s.Questions[i]
		if !s.Visible(q, answers) {
			continue
		}
		total++
		if q.ID == id {
			n = total
		}
	}
	return n, total
}

// FindAnswer returns the answer to a question, or nil.
func FindAnswer(answers []Answer, questionID string) *Answer {
	for i := range answers {
		if answers[i].QuestionID == questionID {
			return &answers[i]
		}
	}
	return nil
}

// Languages lists the languages the survey can be shown in, its own
// first: its translations, and the built-in languages when every question
// uses built-in texts.
func (s *Survey) Languages() []string {
	out := []string{s.Language}
	for lang := range s.Translations {
		if !slices.Contains(out, lang) {
			out = append(out, lang)
		}
	}
	for _, lang := range BuiltinLanguages() {
		if slices.Contains(out, lang) {
			continue
		}
		if _, err := s.Localize(lang); err == nil {
			out = append(out, lang)
		}
	}
	slices.Sort(out[1:])
	return out
}

// LocalizedSurvey is a survey's texts resolved in one language, ready to
// show: what the hosted page, the widget and the dashboard's preview draw.
type LocalizedSurvey struct {
	ID        string               `json:"id"`
	Type      SurveyType           `json:"type"`
	Language  string               `json:"language"`
	Dir       string               `json:"dir"`
	Title     string               `json:"title"`
	ThankYou  string               `json:"thank_you"`
	Questions []LocalizedQuestion  `json:"questions"`
	UI        map[string]string    `json:"ui"`
	Widget    *WidgetRules         `json:"widget,omitempty"`
	byID      map[string]*Question `json:"-"`
}

// LocalizedQuestion is a question with its texts in one language.
type LocalizedQuestion struct {
	ID       string           `json:"id"`
	Type     QuestionType     `json:"type"`
	Text     string           `json:"text"`
	Required bool             `json:"required"`
	Min      float64          `json:"min"`
	Max      float64          `json:"max"`
	MinLabel string           `json:"min_label,omitempty"`
	MaxLabel string           `json:"max_label,omitempty"`
	Choices  []Choice         `json:"choices,omitempty"`
	ShowIf   *AnswerCondition `json:"show_if,omitempty"`
}

// Localize resolves every text of the survey in lang: the survey's own
// texts if lang is its language, else its translation, else the built-in
// text of a standard question. Returns EINVALID naming the first question
// that has no text in lang: a survey is never shown half translated.
func (s *Survey) Localize(lang string) (*LocalizedSurvey, error) {
	tr, hasTr := s.Translations[lang]
	own := lang == s.Language
	if !own && !hasTr {
		// Only built-in texts can serve a language nobody translated.
		for _, q := range s.Questions {
			if q.Text != "" {
				return nil, FieldError("language", "survey %q has no %s translation", s.ID, lang)
			}
		}
	}
	pick := func(ownText, trText string) string {
		if own {
			return ownText
		}
		return trText
	}
	ls := &LocalizedSurvey{ID: s.ID, Type: s.Type, Language: lang, Dir: TextDirection(lang), UI: UIStrings(lang), Widget: s.Widget}
	ls.Title = pick(s.Title, tr.Title)
	ls.ThankYou = pick(s.ThankYou, tr.ThankYou)
	if ls.ThankYou == "" {
		ls.ThankYou = ls.UI["thank_you"]
	}
	for _, q := range s.Questions {
		qt := tr.Questions[q.ID]
		lq := LocalizedQuestion{ID: q.ID, Type: q.Type, Required: q.Required, ShowIf: q.ShowIf}
		lq.Min, lq.Max = q.Scale()
		lq.Text = pick(q.Text, qt.Text)
		if lq.Text == "" && (own || q.Text == "") {
			lq.Text = standardText(lang, &q)
		}
		if lq.Text == "" {
			return nil, FieldError("translations."+lang+".questions."+q.ID+".text", "missing")
		}
		lq.MinLabel = firstOf(pick(q.MinLabel, qt.MinLabel), builtinLabel(lang, q.Type, "min"))
		lq.MaxLabel = firstOf(pick(q.MaxLabel, qt.MaxLabel), builtinLabel(lang, q.Type, "max"))
		for _, c := range q.Choices {
			text := c.Text
			if !own {
				text = qt.Choices[c.ID]
			}
			if text == "" {
				return nil, FieldError("translations."+lang+".questions."+q.ID+".choices."+c.ID, "missing")
			}
			lq.Choices = append(lq.Choices, Choice{ID: c.ID, Text: text})
		}
		ls.Questions = append(ls.Questions, lq)
	}
	return ls, nil
}

// PickLanguage returns the first of the wanted languages the survey can be
// shown in (matching "pt-BR" to "pt" when needed), else its own language.
func (s *Survey) PickLanguage(wanted ...string) string {
	langs := s.Languages()
	for _, w := range wanted {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		for _, l := range langs {
			if strings.EqualFold(l, w) {
				return l
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(w), "-")
		for _, l := range langs {
			if strings.EqualFold(l, base) {
				return l
			}
		}
	}
	return s.Language
}

func firstOf(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// rtlLanguages are written right to left.
var rtlLanguages = []string{"ar", "fa", "he", "iw", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "syr"}

// TextDirection returns "rtl" for languages written right to left (Persian,
// Arabic, Hebrew, Urdu…) and "ltr" for the rest.
func TextDirection(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if slices.Contains(rtlLanguages, base) {
		return "rtl"
	}
	return "ltr"
}

// Answer is a respondent's answer to one question.
type Answer struct {
	QuestionID string   `json:"question_id"`
	Score      *float64 `json:"score,omitempty"`
	Choices    []string `json:"choices,omitempty"`
	Text       string   `json:"text,omitempty"`
	// Skipped records that an optional question was passed over, so the
	// survey moves on.
	Skipped bool      `json:"skipped,omitempty"`
	At      time.Time `json:"at"`
}

// Check validates an answer against its question. Returns EINVALID naming
// field (the caller's spelling of where the answer came from).
func (a *Answer) Check(q *Question, field string) error {
	if a.Skipped {
		if q.Required {
			return FieldError(field, "question %q needs an answer", q.ID)
		}
		a.Score, a.Choices, a.Text = nil, nil, ""
		return nil
	}
	switch {
	case q.Type.Scored():
		if a.Score == nil {
			return FieldError(field+".score", "required for %s question %q", q.Type, q.ID)
		}
		lo, hi := q.Scale()
		if math.IsNaN(*a.Score) || *a.Score < lo || *a.Score > hi || *a.Score != math.Trunc(*a.Score) {
			return FieldError(field+".score", "must be a whole number from %g to %g", lo, hi)
		}
		if len(a.Choices) > 0 {
			return FieldError(field+".choices", "question %q is scored", q.ID)
		}
	case q.Type.Choice():
		if len(a.Choices) == 0 {
			return FieldError(field+".choices", "pick at least one choice")
		}
		if q.Type == QuestionSingleChoice && len(a.Choices) > 1 {
			return FieldError(field+".choices", "question %q takes one choice", q.ID)
		}
		seen := map[string]bool{}
		for _, c := range a.Choices {
			if !slices.ContainsFunc(q.Choices, func(ch Choice) bool { return ch.ID == c }) {
				return FieldError(field+".choices", "question %q has no choice %q", q.ID, c)
			}
			if seen[c] {
				return FieldError(field+".choices", "choice %q given twice", c)
			}
			seen[c] = true
		}
		if a.Score != nil {
			return FieldError(field+".score", "question %q is a choice", q.ID)
		}
	case q.Type == QuestionText:
		a.Text = strings.TrimSpace(a.Text)
		if a.Text == "" && q.Required {
			return FieldError(field+".text", "required")
		}
		if len(a.Text) > MaxAnswerText {
			return FieldError(field+".text", "must be at most %d characters", MaxAnswerText)
		}
		if a.Score != nil || len(a.Choices) > 0 {
			return FieldError(field, "question %q takes text", q.ID)
		}
		if a.Text == "" {
			a.Skipped = true
		}
	}
	return nil
}

// Deliveries: how a customer was asked.
const (
	DeliveryLink   = "link"   // a personal link (/s/{token}) the workspace sends itself
	DeliveryEmail  = "email"  // the first question embedded in an email
	DeliveryWidget = "widget" // the website widget
	DeliveryApp    = "app"    // the app, through the answers API
)

// DeliveryChannel is the channel an answer given through a delivery is
// recorded on.
func DeliveryChannel(delivery string) string {
	switch delivery {
	case DeliveryEmail:
		return ChannelEmail
	case DeliveryWidget:
		return ChannelWeb
	case DeliveryApp:
		return ChannelApp
	}
	return ChannelSurvey
}

// SurveyInvitation is one time a customer was asked a survey: a personal link or
// email made for them, or the widget showing it. Invitations are what the
// fatigue rules count, and their token is the only way to answer.
type SurveyInvitation struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	SurveyID  string `json:"survey_id"`
	// CustomerKey identifies the customer for fatigue rules: their profile
	// id when known, else "user_id:…" or "anonymous_id:…".
	CustomerKey string     `json:"customer_key"`
	ProfileID   string     `json:"profile_id,omitempty"`
	UserID      string     `json:"user_id,omitempty"`
	AnonymousID string     `json:"anonymous_id,omitempty"`
	Email       string     `json:"email,omitempty"`
	Delivery    string     `json:"delivery"`
	Language    string     `json:"language"`
	Touchpoint  string     `json:"touchpoint,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	OpenedAt    *time.Time `json:"opened_at,omitempty"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	DismissedAt *time.Time `json:"dismissed_at,omitempty"`
}

// Quality flags a response can carry. Metrics can leave flagged responses out.
const (
	FlagSpeeder      = "speeder"        // answered faster than anyone can read
	FlagStraightLine = "straight_liner" // the same point of every scale
	FlagDuplicate    = "duplicate"      // the same customer or text answered this survey again within a day
	FlagGibberish    = "gibberish"      // the comment is keyboard mashing
)

// QualityFlags lists every flag.
func QualityFlags() []string {
	return []string{FlagSpeeder, FlagStraightLine, FlagDuplicate, FlagGibberish}
}

// Response is a customer's answers to one invitation, kept from the first
// answer on: a response the customer left half way is still a response.
type Response struct {
	ID           string   `json:"id"`
	Workspace    string   `json:"workspace"`
	SurveyID     string   `json:"survey_id"`
	SurveyType   string   `json:"survey_type"`
	InvitationID string   `json:"invitation_id"`
	CustomerKey  string   `json:"customer_key"`
	ProfileID    string   `json:"profile_id,omitempty"`
	UserID       string   `json:"user_id,omitempty"`
	AnonymousID  string   `json:"anonymous_id,omitempty"`
	Delivery     string   `json:"delivery"`
	Channel      string   `json:"channel"`
	Language     string   `json:"language"`
	Touchpoint   string   `json:"touchpoint,omitempty"`
	Answers      []Answer `json:"answers"`
	// Score is the answer to the first question when it is scored.
	Score    *float64 `json:"score,omitempty"`
	MaxScore *float64 `json:"max_score,omitempty"`
	// Comment is the text of the first text question answered.
	Comment     string     `json:"comment,omitempty"`
	Complete    bool       `json:"complete"`
	Flags       []string   `json:"flags"`
	StartedAt   time.Time  `json:"started_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	// Revision counts the saves of the response; each emits one event.
	Revision int `json:"revision"`
}

// Summarize sets Score, MaxScore and Comment from the answers.
func (r *Response) Summarize(s *Survey) {
	r.Score, r.MaxScore, r.Comment = nil, nil, ""
	if q := s.ScoreQuestion(); q != nil {
		if a := FindAnswer(r.Answers, q.ID); a != nil && a.Score != nil {
			_, hi := q.Scale()
			r.Score, r.MaxScore = a.Score, &hi
		}
	}
	for _, q := range s.Questions {
		if q.Type != QuestionText {
			continue
		}
		if a := FindAnswer(r.Answers, q.ID); a != nil && a.Text != "" {
			r.Comment = a.Text
			return
		}
	}
}

// SurveySettings are a workspace's rules for every survey.
type SurveySettings struct {
	// CooldownDays is the least time between two asks of one customer,
	// whatever the surveys: no customer is asked more often.
	CooldownDays int       `json:"cooldown_days"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// DefaultSurveySettings are a new workspace's.
func DefaultSurveySettings() SurveySettings { return SurveySettings{CooldownDays: 14} }

// Validate names the bad setting.
func (s SurveySettings) Validate() error {
	if s.CooldownDays < 0 || s.CooldownDays > 3650 {
		return FieldError("cooldown_days", "must be between 0 and 3650")
	}
	return nil
}

// SurveyFilter selects surveys. Nil fields do not filter.
type SurveyFilter struct {
	Workspace string
	Status    *string
	// Widget selects active surveys the website widget may show.
	Widget bool
}

// ResponseFilter selects responses, newest first.
type ResponseFilter struct {
	Workspace string
	SurveyID  *string
	// Customers selects responses of these customer keys.
	Customers []string
	Since     *time.Time
	Limit     int
	// Before pages backwards: responses started before this response id's.
	Before string
}

// SurveyService stores surveys, invitations and responses.
type SurveyService interface {
	// CreateSurvey normalises and stores s, assigning Version, times and,
	// unless given, ID. Returns EINVALID naming the bad field, ECONFLICT
	// for an id in use.
	CreateSurvey(ctx context.Context, s *Survey) error

	// FindSurvey returns a survey. Returns ENOTFOUND if the workspace has none with id.
	FindSurvey(ctx context.Context, workspace, id string) (*Survey, error)

	// FindSurveys returns matching surveys, newest first.
	FindSurveys(ctx context.Context, f SurveyFilter) ([]*Survey, error)

	// UpdateSurvey replaces a survey's definition and bumps its version.
	// Questions that have answers keep their ids: removing one is allowed,
	// changing its type is not (ECONFLICT). Returns ENOTFOUND, EINVALID.
	UpdateSurvey(ctx context.Context, s *Survey) error

	// SurveySettings returns a workspace's settings (defaults if never set).
	SurveySettings(ctx context.Context, workspace string) (SurveySettings, error)

	// SetSurveySettings stores a workspace's settings. Returns EINVALID.
	SetSurveySettings(ctx context.Context, workspace string, s SurveySettings) error

	// SurveySecret returns the workspace's key for signing survey links,
	// made on first use.
	SurveySecret(ctx context.Context, workspace string) ([]byte, error)

	// CreateSurveyInvitation stores inv if allow, called in the same transaction
	// with the earlier invitations of any of the customer's keys (newest
	// first; a customer known by a profile, a user id and devices has
	// several), returns nil:
	// two concurrent asks of one customer cannot both pass the fatigue
	// rules. Assigns ID unless set. Returns allow's error as it is.
	CreateSurveyInvitation(ctx context.Context, inv *SurveyInvitation, keys []string, allow func(history []*SurveyInvitation) error) error

	// SurveyInvitationHistory returns the invitations of any of a customer's
	// keys, newest first.
	SurveyInvitationHistory(ctx context.Context, workspace string, keys []string) ([]*SurveyInvitation, error)

	// FindSurveyInvitation returns an invitation by id. Returns ENOTFOUND.
	FindSurveyInvitation(ctx context.Context, id string) (*SurveyInvitation, error)

	// MarkSurveyInvitation records that an invitation was opened or dismissed
	// (what is "opened" or "dismissed"); the first time counts.
	MarkSurveyInvitation(ctx context.Context, id, what string, at time.Time) error

	// FindResponseByInvitation returns the response to an invitation.
	// Returns ENOTFOUND if it was not answered yet.
	FindResponseByInvitation(ctx context.Context, invitationID string) (*Response, error)

	// SaveResponse stores a new response (Revision 1) or a newer revision
	// of one: r.Revision must be one more than the stored one, else
	// ECONFLICT, and a complete response never changes again (ECONFLICT).
	// The invitation's answered and completed times follow.
	SaveResponse(ctx context.Context, r *Response) error

	// FindResponse returns a response. Returns ENOTFOUND.
	FindResponse(ctx context.Context, workspace, id string) (*Response, error)

	// FindResponses returns matching responses, newest first.
	FindResponses(ctx context.Context, f ResponseFilter) ([]*Response, error)
}
