package survey

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// FormAnswer reads the hosted page's form: q (the question id), then
// score, choice (repeated for several) or text, or skip. The answer is
// checked against its question by Service.Answer.
func FormAnswer(form url.Values) (touchpoint.Answer, error) {
	a := touchpoint.Answer{QuestionID: strings.TrimSpace(form.Get("q"))}
	if a.QuestionID == "" || len(a.QuestionID) > 64 {
		return a, touchpoint.FieldError("q", "required: the question answered")
	}
	if form.Get("skip") != "" {
		a.Skipped = true
		return a, nil
	}
	if v := form.Get("score"); v != "" {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return a, touchpoint.FieldError("score", "%q is not a number", truncate(v, 20))
		}
		a.Score = &f
	}
	if len(form["choice"]) > touchpoint.MaxQuestionChoices {
		return a, touchpoint.FieldError("choice", "too many choices")
	}
	for _, c := range form["choice"] {
		if c = strings.TrimSpace(c); c != "" {
			a.Choices = append(a.Choices, c)
		}
	}
	a.Text = form.Get("text")
	if a.Score == nil && len(a.Choices) == 0 && strings.TrimSpace(a.Text) == "" {
		if _, ok := form["text"]; !ok {
			return a, touchpoint.FieldError("score", "give a score, a choice or text")
		}
	}
	return a, nil
}

// OneClick reads the answer carried by an email's link (?q=…&a=…) for a
// question: a score for a scored question, a choice id for a choice one.
// It returns the form field and value the page prefills.
func OneClick(q *touchpoint.Question, value string) (field, v string, ok bool) {
	value = strings.TrimSpace(value)
	switch {
	case q == nil || value == "" || len(value) > 64:
		return "", "", false
	case q.Type.Scored():
		f, err := strconv.Atoi(value)
		lo, hi := q.Scale()
		if err != nil || float64(f) < lo || float64(f) > hi {
			return "", "", false
		}
		return "score", strconv.Itoa(f), true
	case q.Type == touchpoint.QuestionSingleChoice:
		for _, c := range q.Choices {
			if c.ID == value {
				return "choice", value, true
			}
		}
	}
	return "", "", false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
