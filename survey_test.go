package touchpoint_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

func f(v float64) *float64 { return &v }

// npsSurvey is a relationship NPS with follow-ups by score and a branch.
func npsSurvey() *touchpoint.Survey {
	s := &touchpoint.Survey{Workspace: "acme", Name: "Relationship NPS", Questions: []touchpoint.Question{
		{ID: "score", Type: touchpoint.QuestionNPS, Required: true},
		{ID: "why_low", Type: touchpoint.QuestionSingleChoice, Text: "What went wrong?", ShowIf: &touchpoint.AnswerCondition{Question: "score", Max: f(6)},
			Choices: []touchpoint.Choice{{ID: "price", Text: "Price"}, {ID: "delivery", Text: "Delivery"}}},
		{ID: "delivery_detail", Type: touchpoint.QuestionText, Text: "Tell us about the delivery", ShowIf: &touchpoint.AnswerCondition{Question: "why_low", Any: []string{"delivery"}}},
		{ID: "reason", Type: touchpoint.QuestionText, ShowIf: &touchpoint.AnswerCondition{Question: "score", Min: f(7)}},
	}}
	s.Normalize()
	return s
}

func TestSurveyValidate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		s := npsSurvey()
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		if s.Type != touchpoint.SurveyNPS || s.Status != touchpoint.SurveyDraft || s.Language != "en" || s.LinkDays != 30 {
			t.Fatalf("defaults: %+v", s)
		}
	})
	t.Run("TypeOnly", func(t *testing.T) {
		s := &touchpoint.Survey{Workspace: "acme", Name: "CSAT", Type: touchpoint.SurveyCSAT}
		s.Normalize()
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		if len(s.Questions) != 2 || s.Questions[0].Type != touchpoint.QuestionCSAT || s.Questions[1].Type != touchpoint.QuestionText {
			t.Fatalf("standard questions: %+v", s.Questions)
		}
	})
	for _, tt := range []struct {
		name  string
		edit  func(s *touchpoint.Survey)
		field string
	}{
		{"NoName", func(s *touchpoint.Survey) { s.Name = "" }, "name"},
		{"BadLanguage", func(s *touchpoint.Survey) { s.Language = "English" }, "language"},
		{"BadQuestionID", func(s *touchpoint.Survey) { s.Questions[1].ID = "Why Low" }, "questions[1].id"},
		{"DuplicateQuestionID", func(s *touchpoint.Survey) { s.Questions[3].ID = "score" }, "questions[3].id"},
		{"UnknownType", func(s *touchpoint.Survey) { s.Questions[1].Type = "slider" }, "questions[1].type"},
		{"OneChoice", func(s *touchpoint.Survey) { s.Questions[1].Choices = s.Questions[1].Choices[:1] }, "questions[1].choices"},
		{"DuplicateChoice", func(s *touchpoint.Survey) { s.Questions[1].Choices[1].ID = "price" }, "questions[1].choices[1].id"},
		{"FollowUpOfLaterQuestion", func(s *touchpoint.Survey) { s.Questions[1].ShowIf.Question = "reason" }, "questions[1].show_if.question"},
		{"ScoreOutsideScale", func(s *touchpoint.Survey) { s.Questions[1].ShowIf.Max = f(11) }, "questions[1].show_if.max"},
		{"ChoiceConditionOnScore", func(s *touchpoint.Survey) { s.Questions[1].ShowIf.Any = []string{"x"} }, "questions[1].show_if.any"},
		{"UnknownChoiceInCondition", func(s *touchpoint.Survey) { s.Questions[2].ShowIf.Any = []string{"weather"} }, "questions[2].show_if.any"},
		{"FirstQuestionConditional", func(s *touchpoint.Survey) {
			s.Questions = s.Questions[:1]
			s.Questions[0].ShowIf = &touchpoint.AnswerCondition{Question: "score", Min: f(1)}
		}, "questions[0].show_if.question"},
		{"RatingWithoutText", func(s *touchpoint.Survey) {
			s.Type = touchpoint.SurveyRating
			s.Questions[0] = touchpoint.Question{ID: "score", Type: touchpoint.QuestionRating}
		}, "questions[0].text"},
		{"NoBuiltinText", func(s *touchpoint.Survey) { s.Language = "de" }, "questions[0].text"},
		{"TranslationOfUnknownQuestion", func(s *touchpoint.Survey) {
			s.Translations = map[string]touchpoint.Translation{"vi": {Questions: map[string]touchpoint.QuestionTranslation{"nope": {Text: "x"}}}}
		}, "translations.vi.questions.nope"},
		{"TranslationOfUnknownChoice", func(s *touchpoint.Survey) {
			s.Translations = map[string]touchpoint.Translation{"vi": {Questions: map[string]touchpoint.QuestionTranslation{"why_low": {Choices: map[string]string{"taste": "x"}}}}}
		}, "translations.vi.questions.why_low.choices.taste"},
		{"BadSample", func(s *touchpoint.Survey) {
			s.Widget = &touchpoint.WidgetRules{Enabled: true, SamplePercent: 120, Position: "bottom-right"}
		}, "widget.sample_percent"},
		{"BadTraitOp", func(s *touchpoint.Survey) {
			s.Widget = &touchpoint.WidgetRules{Enabled: true, SamplePercent: 100, Position: "center", Traits: []touchpoint.TraitCondition{{Trait: "plan", Op: "like", Value: "pro"}}}
		}, "widget.traits[0].op"},
		{"BadStatus", func(s *touchpoint.Survey) { s.Status = "live" }, "status"},
		{"TypeDisagrees", func(s *touchpoint.Survey) { s.Type = touchpoint.SurveyCSAT }, "type"},
	} {
		t.Run("ErrInvalid/"+tt.name, func(t *testing.T) {
			s := npsSurvey()
			tt.edit(s)
			err := s.Validate()
			if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != tt.field {
				t.Fatalf("got %v (field %q), want field %q", err, touchpoint.ErrorField(err), tt.field)
			}
			if !strings.HasPrefix(touchpoint.ErrorMessage(err), tt.field+":") {
				t.Fatalf("message %q does not name the field", touchpoint.ErrorMessage(err))
			}
		})
	}
}

func TestSurveyFlow(t *testing.T) {
	s := npsSurvey()
	var answers []touchpoint.Answer
	next := func() string {
		q := s.NextQuestion(answers)
		if q == nil {
			return ""
		}
		return q.ID
	}
	if next() != "score" {
		t.Fatal("first question")
	}
	t.Run("Detractor", func(t *testing.T) {
		answers = []touchpoint.Answer{{QuestionID: "score", Score: f(3)}}
		if next() != "why_low" {
			t.Fatalf("detractor follow-up: %s", next())
		}
		answers = append(answers, touchpoint.Answer{QuestionID: "why_low", Choices: []string{"delivery"}})
		if next() != "delivery_detail" {
			t.Fatalf("branch: %s", next())
		}
		if n, total := s.Position("delivery_detail", answers); n != 3 || total != 3 {
			t.Fatalf("position %d of %d", n, total)
		}
		answers = append(answers, touchpoint.Answer{QuestionID: "delivery_detail", Text: "late"})
		if next() != "" {
			t.Fatalf("should be complete, next %s", next())
		}
	})
	t.Run("Promoter", func(t *testing.T) {
		answers = []touchpoint.Answer{{QuestionID: "score", Score: f(9)}}
		if next() != "reason" {
			t.Fatalf("promoter follow-up: %s", next())
		}
		answers = append(answers, touchpoint.Answer{QuestionID: "reason", Skipped: true})
		if next() != "" {
			t.Fatal("skipped optional question should complete")
		}
	})
}

func TestAnswerCheck(t *testing.T) {
	s := npsSurvey()
	for _, tt := range []struct {
		name  string
		q     string
		a     touchpoint.Answer
		field string
	}{
		{"ScoreOK", "score", touchpoint.Answer{Score: f(10)}, ""},
		{"ScoreTooHigh", "score", touchpoint.Answer{Score: f(11)}, "answers[0].score"},
		{"ScoreFraction", "score", touchpoint.Answer{Score: f(7.5)}, "answers[0].score"},
		{"ScoreMissing", "score", touchpoint.Answer{}, "answers[0].score"},
		{"SkipRequired", "score", touchpoint.Answer{Skipped: true}, "answers[0]"},
		{"ChoiceOK", "why_low", touchpoint.Answer{Choices: []string{"price"}}, ""},
		{"TwoChoicesInSingle", "why_low", touchpoint.Answer{Choices: []string{"price", "delivery"}}, "answers[0].choices"},
		{"UnknownChoice", "why_low", touchpoint.Answer{Choices: []string{"colour"}}, "answers[0].choices"},
		{"TextTooLong", "reason", touchpoint.Answer{Text: strings.Repeat("x", 5001)}, "answers[0].text"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Check(s.Question(tt.q), "answers[0]")
			if touchpoint.ErrorField(err) != tt.field || (tt.field == "") != (err == nil) {
				t.Fatalf("got %v, want field %q", err, tt.field)
			}
		})
	}
}

func TestSurveyLocalize(t *testing.T) {
	t.Run("BuiltinLanguages", func(t *testing.T) {
		s := &touchpoint.Survey{Workspace: "acme", Name: "NPS", Type: touchpoint.SurveyNPS}
		s.Normalize()
		if got := strings.Join(s.Languages(), ","); got != "en,fa,th,vi" {
			t.Fatalf("languages %s", got)
		}
		for lang, dir := range map[string]string{"en": "ltr", "vi": "ltr", "th": "ltr", "fa": "rtl"} {
			ls, err := s.Localize(lang)
			if err != nil {
				t.Fatal(err)
			}
			if ls.Dir != dir || ls.Questions[0].Text == "" || ls.Questions[0].MinLabel == "" || ls.UI["submit"] == "" || ls.ThankYou == "" {
				t.Fatalf("%s: %+v", lang, ls)
			}
		}
		fa, _ := s.Localize("fa")
		if !strings.Contains(fa.Questions[0].Text, "توصیه") {
			t.Fatalf("Persian text: %q", fa.Questions[0].Text)
		}
	})
	t.Run("Translated", func(t *testing.T) {
		s := npsSurvey()
		s.ThankYou = "Thanks!"
		s.Translations = map[string]touchpoint.Translation{"vi": {ThankYou: "Cảm ơn!", Questions: map[string]touchpoint.QuestionTranslation{
			"why_low":         {Text: "Điều gì chưa tốt?", Choices: map[string]string{"price": "Giá", "delivery": "Giao hàng"}},
			"delivery_detail": {Text: "Hãy kể về việc giao hàng"},
		}}}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		ls, err := s.Localize("vi")
		if err != nil {
			t.Fatal(err)
		}
		if ls.ThankYou != "Cảm ơn!" || ls.Questions[1].Choices[1].Text != "Giao hàng" || !strings.Contains(ls.Questions[0].Text, "giới thiệu") {
			t.Fatalf("%+v", ls)
		}
		if _, err := s.Localize("th"); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("untranslated custom questions must not show in Thai: %v", err)
		}
		if got := s.PickLanguage("th-TH", "vi-VN"); got != "vi" {
			t.Fatalf("pick %s", got)
		}
		if got := s.PickLanguage("de"); got != "en" {
			t.Fatalf("fallback %s", got)
		}
	})
	t.Run("RTL", func(t *testing.T) {
		for lang, dir := range map[string]string{"fa": "rtl", "fa-IR": "rtl", "ar": "rtl", "he": "rtl", "ur": "rtl", "en": "ltr", "th": "ltr", "vi": "ltr"} {
			if touchpoint.TextDirection(lang) != dir {
				t.Errorf("%s: want %s", lang, dir)
			}
		}
	})
	t.Run("JSON", func(t *testing.T) {
		s := npsSurvey()
		ls, _ := s.Localize("en")
		b, _ := json.Marshal(ls)
		if !strings.Contains(string(b), `"dir":"ltr"`) || !strings.Contains(string(b), `"show_if":{"question":"score","max":6}`) {
			t.Fatalf("%s", b)
		}
	})
}
