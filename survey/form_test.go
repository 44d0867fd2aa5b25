package survey_test

import (
	"net/url"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/survey"
)

func TestFormAnswer(t *testing.T) {
	for _, tt := range []struct {
		form  string
		field string
	}{
		{"q=score&score=9", ""},
		{"q=why&choice=a&choice=b", ""},
		{"q=reason&text=", ""},
		{"q=reason&skip=1", ""},
		{"score=9", "q"},
		{"q=score&score=nine", "score"},
		{"q=score", "score"},
	} {
		v, _ := url.ParseQuery(tt.form)
		_, err := survey.FormAnswer(v)
		if touchpoint.ErrorField(err) != tt.field {
			t.Errorf("%s: %v, want field %q", tt.form, err, tt.field)
		}
	}
	q := &touchpoint.Question{ID: "score", Type: touchpoint.QuestionNPS}
	if f, v, ok := survey.OneClick(q, "9"); !ok || f != "score" || v != "9" {
		t.Fatal("one click 9")
	}
	for _, bad := range []string{"11", "-1", "x", ""} {
		if _, _, ok := survey.OneClick(q, bad); ok {
			t.Errorf("one click %q accepted", bad)
		}
	}
}

// FuzzFormAnswer: whatever a browser or a bot posts, decoding and checking
// the answer never panics, and an accepted answer fits its question.
func FuzzFormAnswer(f *testing.F) {
	for _, s := range []string{"q=score&score=9", "q=why_low&choice=late", "q=reason&text=hello", "q=reason&skip=1", "q=score&score=1e309", "q=%00&choice="} {
		f.Add(s)
	}
	sv := &touchpoint.Survey{Questions: []touchpoint.Question{
		{ID: "score", Type: touchpoint.QuestionNPS, Required: true},
		{ID: "why_low", Type: touchpoint.QuestionSingleChoice, Text: "Why?", Choices: []touchpoint.Choice{{ID: "late", Text: "Late"}, {ID: "rude", Text: "Rude"}}},
		{ID: "reason", Type: touchpoint.QuestionText},
	}}
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		a, err := survey.FormAnswer(form)
		if err != nil {
			return
		}
		q := sv.Question(a.QuestionID)
		if q == nil {
			return
		}
		if a.Check(q, "answer") != nil {
			return
		}
		if q.Type.Scored() && !a.Skipped && (a.Score == nil || *a.Score < 0 || *a.Score > 10) {
			t.Fatalf("accepted score %v", a.Score)
		}
	})
}
