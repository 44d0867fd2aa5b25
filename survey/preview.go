package survey

import (
	"strconv"

	"github.com/touchpoint-cx/touchpoint"
)

// Preview is a draft survey as a respondent would see it in one language,
// after some answers: what the dashboard's builder shows beside the form
// while someone edits a survey.
type Preview struct {
	// Language is the language shown: the one asked for if the survey can
	// be shown in it, else the survey's own.
	Language  string
	Dir       string
	Languages []string
	Survey    *touchpoint.LocalizedSurvey
	// Next is the question the page shows; nil when the answers complete
	// the survey and the page thanks the respondent.
	Next *touchpoint.Question
	// Page is the hosted page, without a nonce: whoever serves it sets one
	// and the matching Content-Security-Policy.
	Page Page
	// EmailHTML is the email block of the first question; its links go
	// nowhere.
	EmailHTML string
}

// MakePreview validates a draft (sv is normalised in place) and renders it
// in lang after answers, storing nothing. Returns EINVALID naming the
// first bad field in the spelling of the API's body: "questions[1].text",
// "translations.fa.questions.score.text", "answers[0].score".
func MakePreview(sv *touchpoint.Survey, lang string, answers []touchpoint.Answer) (*Preview, error) {
	if sv.ID == "" {
		sv.ID = "preview"
	}
	sv.Normalize()
	if err := sv.Validate(); err != nil {
		return nil, err
	}
	lang = sv.PickLanguage(lang)
	ls, err := sv.Localize(lang)
	if err != nil {
		return nil, err
	}
	for i := range answers {
		field := "answers[" + strconv.Itoa(i) + "]"
		q := sv.Question(answers[i].QuestionID)
		if q == nil {
			return nil, touchpoint.FieldError(field+".question_id", "no question %q", answers[i].QuestionID)
		}
		if err := answers[i].Check(q, field); err != nil {
			return nil, err
		}
	}
	ss := &Session{Survey: sv, Response: &touchpoint.Response{Answers: answers}, Next: sv.NextQuestion(answers)}
	page, err := QuestionPage(ss, lang, "#")
	if err != nil {
		return nil, err
	}
	email, err := EmailBlock(sv, lang, "#preview")
	if err != nil {
		return nil, err
	}
	return &Preview{Language: lang, Dir: ls.Dir, Languages: sv.Languages(), Survey: ls, Next: ss.Next, Page: page, EmailHTML: email}, nil
}
