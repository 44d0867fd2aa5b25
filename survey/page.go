package survey

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"

	"github.com/touchpoint-cx/touchpoint"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// Page is what the hosted survey page shows: one question, the thank-you
// message, or why the link cannot be answered. Every value is escaped by
// html/template; nothing a survey author or respondent wrote is trusted.
type Page struct {
	Lang, Dir string
	Title     string
	UI        map[string]string
	// Action is where the form posts (the page's own path).
	Action string
	// State is "question", "thanks" or "message".
	State    string
	Message  string
	Question *touchpoint.LocalizedQuestion
	Scale    []int
	Progress string
	Error    string
	// Prefill is a value chosen before the page opened (one click in an
	// email): the page shows it chosen and submits it at once.
	Prefill      string
	PrefillField string
	// Nonce allows the page's own style and script under its CSP.
	Nonce string
}

// NewNonce returns a fresh value for a Content-Security-Policy nonce.
func NewNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

// CSP is the Content-Security-Policy of a survey page with this nonce.
func CSP(nonce string) string {
	return "default-src 'none'; style-src 'nonce-" + nonce + "'; script-src 'nonce-" + nonce + "'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
}

// RenderPage writes the page.
func RenderPage(w io.Writer, p Page) error {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, "page.html", p); err != nil {
		return fmt.Errorf("render survey page: %w", err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// QuestionPage is the page of the session's next question, or its thank-you
// page when the survey is complete, in lang (which must be one of the
// survey's languages).
func QuestionPage(ss *Session, lang, action string) (Page, error) {
	ls, err := ss.Survey.Localize(lang)
	if err != nil {
		if ls, err = ss.Survey.Localize(ss.Survey.Language); err != nil {
			return Page{}, err
		}
	}
	p := Page{Lang: ls.Language, Dir: ls.Dir, Title: ls.Title, UI: ls.UI, Action: action}
	if ss.Next == nil {
		p.State, p.Message = "thanks", ls.ThankYou
		return p, nil
	}
	p.State = "question"
	for i := range ls.Questions {
		if ls.Questions[i].ID == ss.Next.ID {
			p.Question = &ls.Questions[i]
		}
	}
	if p.Question.Type.Scored() {
		for v := int(p.Question.Min); v <= int(p.Question.Max); v++ {
			p.Scale = append(p.Scale, v)
		}
	}
	if n, total := ss.Survey.Position(ss.Next.ID, ss.Answers()); total > 1 {
		p.Progress = fmt.Sprintf(ls.UI["progress"], n, total)
	}
	return p, nil
}

// MessagePage is a page that only says something (an expired link…).
func MessagePage(lang, message string) Page {
	return Page{Lang: lang, Dir: touchpoint.TextDirection(lang), UI: touchpoint.UIStrings(lang), State: "message", Message: message}
}

// ErrorMessage says err to a respondent in lang.
func ErrorMessage(lang string, err error) string {
	ui := touchpoint.UIStrings(lang)
	switch err {
	case ErrInvalidLink:
		return ui["invalid"]
	case ErrExpired:
		return ui["expired"]
	case ErrAnswered:
		return ui["already_answered"]
	case ErrClosed:
		return ui["unavailable"]
	}
	return touchpoint.ErrorMessage(err)
}

// emailItem is one answer link of the email block.
type emailItem struct {
	Label string
	Href  string
}

// EmailBlock renders the survey's first question as an HTML block for an
// email, in lang, for the personal link link (…/s/{token}): each score or
// choice is a link that answers the question with one click and opens the
// survey page for the follow-up questions. Text questions link to the page.
// Journeys put the block in the body of the emails they send.
func EmailBlock(sv *touchpoint.Survey, lang, link string) (string, error) {
	ls, err := sv.Localize(lang)
	if err != nil {
		return "", err
	}
	q := ls.Questions[0]
	data := struct {
		Lang, Dir, Start, End string
		UI                    map[string]string
		Question              touchpoint.LocalizedQuestion
		Scale, Choices        []emailItem
		Open                  string
	}{Lang: ls.Language, Dir: ls.Dir, Start: "left", End: "right", UI: ls.UI, Question: q}
	if ls.Dir == "rtl" {
		data.Start, data.End = "right", "left"
	}
	answerURL := func(v string) string {
		return link + "?" + url.Values{"q": {q.ID}, "a": {v}, "lang": {ls.Language}}.Encode()
	}
	switch {
	case q.Type.Scored():
		for v := int(q.Min); v <= int(q.Max); v++ {
			data.Scale = append(data.Scale, emailItem{Label: strconv.Itoa(v), Href: answerURL(strconv.Itoa(v))})
		}
	case q.Type == touchpoint.QuestionSingleChoice:
		for _, c := range q.Choices {
			data.Choices = append(data.Choices, emailItem{Label: c.Text, Href: answerURL(c.ID)})
		}
	default:
		data.Open = link + "?" + url.Values{"lang": {ls.Language}}.Encode()
	}
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, "email.html", data); err != nil {
		return "", fmt.Errorf("render email block: %w", err)
	}
	return buf.String(), nil
}
