package httpapi

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/ratelimit"
	"github.com/touchpoint-cx/touchpoint/survey"
)

// publicLimits rate-limit the routes anyone may call. Clients are told
// apart by their address as the server sees it: behind a proxy that is the
// proxy's, so the limits are generous.
type publicLimits struct {
	pages  *ratelimit.Limiter // /s/{token}, per client address
	widget *ratelimit.Limiter // /survey/v1/*, per client address
	hooks  *ratelimit.Limiter // /hooks/{id}, per hook
}

func newPublicLimits() *publicLimits {
	return &publicLimits{pages: ratelimit.New(2, 40), widget: ratelimit.New(10, 100), hooks: ratelimit.New(50, 500)}
}

func (p *publicLimits) allow(l *ratelimit.Limiter, key string, w http.ResponseWriter, now time.Time) error {
	ok, wait := l.Allow(key, now)
	if ok {
		return nil
	}
	secs := int(wait/time.Second) + 1
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return touchpoint.Errorf(touchpoint.ERATELIMITED, "too many requests; try again in %d s", secs)
}

func clientAddr(r *http.Request) string {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return ip
}

// publicSurveyRoutes are the customer-facing routes: the hosted survey
// page, the widget's script and API, and inbound feedback webhooks. They
// sit outside the admin API: a token, a write key or a hook's secret is
// their authentication.
func (s *Server) publicSurveyRoutes(r chi.Router) {
	r.Get("/s/{token}", s.handleSurveyPage)
	r.Post("/s/{token}", s.handleSurveyPage)
	r.Get("/survey/v1/widget.js", s.handleWidgetJS)
	r.Post("/survey/v1/eligible", s.handle(s.handleEligible))
	r.Post("/survey/v1/invitations", s.handle(s.handleWidgetInvite))
	r.Post("/survey/v1/answers", s.handle(s.handleAnswers))
	r.Post("/survey/v1/dismiss", s.handle(s.handleDismiss))
	r.Post("/hooks/{id}", s.handle(s.handleHook))
}

func (s *Server) handleWidgetJS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(survey.WidgetJS())
}

// pageLanguage is the language to speak to a respondent in before a
// survey is known: ?lang, else the browser's first built-in language.
func pageLanguage(r *http.Request) string {
	wanted := []string{r.URL.Query().Get("lang")}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		wanted = append(wanted, tag)
	}
	for _, w := range wanted {
		base, _, _ := strings.Cut(strings.ToLower(w), "-")
		for _, l := range touchpoint.BuiltinLanguages() {
			if base == l {
				return l
			}
		}
	}
	return touchpoint.LangEnglish
}

// handleSurveyPage serves the hosted survey page of a personal link: GET
// shows the next question (or, with ?q=…&a=…, the answer picked in an
// email, submitted at once), POST records an answer and redirects to the
// next question. No JavaScript is needed except for the one-click answer.
func (s *Server) handleSurveyPage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	nonce := survey.NewNonce()
	h.Set("Content-Security-Policy", survey.CSP(nonce))
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	token := chi.URLParam(r, "token")
	render := func(status int, p survey.Page) {
		p.Nonce = nonce
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		if err := survey.RenderPage(w, p); err != nil {
			s.logger.Error("render survey page", "err", err)
		}
	}
	fail := func(err error) {
		code := touchpoint.ErrorCode(err)
		if code == touchpoint.EINTERNAL {
			s.logger.Error("survey page", "err", err)
		}
		lang := pageLanguage(r)
		render(ErrorStatus(code), survey.MessagePage(lang, survey.ErrorMessage(lang, err)))
	}
	if err := s.limits.allow(s.limits.pages, clientAddr(r), w, s.cfg.Clock.Now()); err != nil {
		fail(err)
		return
	}
	ctx := r.Context()
	ss, err := s.cfg.Delivery.Open(ctx, token)
	if err != nil {
		fail(err)
		return
	}
	action := "/s/" + url.PathEscape(token)
	lang := ss.Survey.PickLanguage(r.URL.Query().Get("lang"), ss.Invitation.Language)
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			fail(touchpoint.Errorf(touchpoint.EINVALID, "the form could not be read"))
			return
		}
		lang = ss.Survey.PickLanguage(r.PostForm.Get("lang"), lang)
		a, err := survey.FormAnswer(r.PostForm)
		if err == nil {
			ss, err = s.cfg.Delivery.Answer(ctx, token, []touchpoint.Answer{a}, lang)
		}
		if touchpoint.ErrorCode(err) == touchpoint.EINVALID && !errors.Is(err, survey.ErrInvalidLink) {
			// Show the same question again with what was wrong.
			again, oerr := s.cfg.Delivery.Open(ctx, token)
			if oerr != nil {
				fail(oerr)
				return
			}
			p, perr := survey.QuestionPage(again, lang, action)
			if perr != nil {
				fail(perr)
				return
			}
			p.Error = touchpoint.ErrorMessage(err)
			render(http.StatusBadRequest, p)
			return
		}
		if err != nil {
			fail(err)
			return
		}
		next := action + "?" + url.Values{"lang": {lang}}.Encode()
		if ss.Complete() {
			next += "&done=1"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if ss.Complete() {
		if r.URL.Query().Get("done") == "1" {
			p, err := survey.QuestionPage(ss, lang, action)
			if err != nil {
				fail(err)
				return
			}
			render(http.StatusOK, p)
			return
		}
		fail(survey.ErrAnswered)
		return
	}
	p, err := survey.QuestionPage(ss, lang, action)
	if err != nil {
		fail(err)
		return
	}
	// One click in an email: show the picked answer and submit it.
	if qid, a := r.URL.Query().Get("q"), r.URL.Query().Get("a"); qid != "" && a != "" {
		q := ss.Survey.Question(qid)
		if field, v, ok := survey.OneClick(q, a); ok && ss.Survey.Visible(q, nil) {
			one := *ss
			one.Next = q
			if p, err = survey.QuestionPage(&one, lang, action); err != nil {
				fail(err)
				return
			}
			p.Prefill, p.PrefillField = v, field
		}
	}
	if err := s.cfg.Delivery.MarkOpened(ctx, ss); err != nil {
		s.logger.Warn("mark survey opened", "err", err)
	}
	render(http.StatusOK, p)
}

// WidgetRequest is the body of the widget's and apps' calls. Browsers send
// it as text/plain to avoid a CORS preflight; it is JSON all the same.
type WidgetRequest struct {
	WriteKey    string              `json:"write_key"`
	UserID      string              `json:"user_id"`
	AnonymousID string              `json:"anonymous_id"`
	URL         string              `json:"url"`
	Language    string              `json:"language"`
	SurveyID    string              `json:"survey_id"`
	Delivery    string              `json:"delivery"`
	Token       string              `json:"token"`
	Answers     []touchpoint.Answer `json:"answers"`
}

// DecodeWidgetRequest reads a widget or app call's body (at most 64 KB of
// JSON). Returns EINVALID naming the field for input that is not usable.
func DecodeWidgetRequest(body []byte) (WidgetRequest, error) {
	var req WidgetRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, touchpoint.Errorf(touchpoint.EINVALID, "invalid JSON body: %s", err.Error())
	}
	for _, f := range []struct{ name, v string }{{"user_id", req.UserID}, {"anonymous_id", req.AnonymousID}, {"survey_id", req.SurveyID}, {"token", req.Token}, {"language", req.Language}} {
		if len(f.v) > 512 {
			return req, touchpoint.FieldError(f.name, "must be at most 512 characters")
		}
	}
	if len(req.URL) > 4096 {
		return req, touchpoint.FieldError("url", "must be at most 4096 characters")
	}
	if len(req.Answers) > touchpoint.MaxSurveyQuestions {
		return req, touchpoint.FieldError("answers", "at most %d answers", touchpoint.MaxSurveyQuestions)
	}
	for i, a := range req.Answers {
		if a.QuestionID == "" {
			return req, touchpoint.FieldError("answers["+strconv.Itoa(i)+"].question_id", "required")
		}
		if len(a.Choices) > touchpoint.MaxQuestionChoices {
			return req, touchpoint.FieldError("answers["+strconv.Itoa(i)+"].choices", "too many choices")
		}
		req.Answers[i].At = time.Time{}
	}
	return req, nil
}

// widgetCall authenticates a widget or app call by its write key and
// returns the body and the workspace.
func (s *Server) widgetCall(w http.ResponseWriter, r *http.Request) (WidgetRequest, string, error) {
	if err := s.limits.allow(s.limits.widget, clientAddr(r), w, s.cfg.Clock.Now()); err != nil {
		return WidgetRequest{}, "", err
	}
	body, err := readBody(w, r, 64<<10)
	if err != nil {
		return WidgetRequest{}, "", err
	}
	req, err := DecodeWidgetRequest(body)
	if err != nil {
		return req, "", err
	}
	src, err := s.writeKeySource(r, req.WriteKey)
	if err != nil {
		return req, "", err
	}
	return req, src.Workspace, nil
}

// WidgetSurveysResponse is the answer to POST /survey/v1/eligible: the
// surveys the visitor may be shown, in their language, with the rules
// the page decides (event, delay, page address).
type WidgetSurveysResponse struct {
	Surveys []*touchpoint.LocalizedSurvey `json:"surveys"`
}

func (s *Server) handleEligible(w http.ResponseWriter, r *http.Request) error {
	req, ws, err := s.widgetCall(w, r)
	if err != nil {
		return err
	}
	list, _, err := s.cfg.Delivery.Eligible(r.Context(), survey.Visitor{Workspace: ws, UserID: req.UserID, AnonymousID: req.AnonymousID, URL: req.URL, Language: req.Language})
	if err != nil {
		return err
	}
	out := WidgetSurveysResponse{Surveys: []*touchpoint.LocalizedSurvey{}}
	for _, sv := range list {
		ls, err := sv.Localize(sv.PickLanguage(req.Language))
		if err != nil {
			return err
		}
		ls.Widget = pageRules(sv.Widget)
		out.Surveys = append(out.Surveys, ls)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pageRules keeps the widget rules the page decides (address patterns,
// event, delay, position). Trait, segment and sample rules were applied by
// the server and say how a workspace targets its customers: they are not
// for every visitor to read.
func pageRules(w *touchpoint.WidgetRules) *touchpoint.WidgetRules {
	if w == nil {
		return nil
	}
	return &touchpoint.WidgetRules{Enabled: w.Enabled, URLs: w.URLs, Event: w.Event, DelaySeconds: w.DelaySeconds, Position: w.Position}
}

// WidgetInvitation is the answer to POST /survey/v1/invitations: the token
// to answer with and the survey in the visitor's language.
type WidgetInvitation struct {
	Token        string                      `json:"token"`
	InvitationID string                      `json:"invitation_id"`
	Survey       *touchpoint.LocalizedSurvey `json:"survey"`
}

func (s *Server) handleWidgetInvite(w http.ResponseWriter, r *http.Request) error {
	req, ws, err := s.widgetCall(w, r)
	if err != nil {
		return err
	}
	if req.SurveyID == "" {
		return touchpoint.FieldError("survey_id", "required")
	}
	delivery := touchpoint.DeliveryWidget
	if req.Delivery == touchpoint.DeliveryApp {
		delivery = touchpoint.DeliveryApp
	} else if req.Delivery != "" && req.Delivery != touchpoint.DeliveryWidget {
		return touchpoint.FieldError("delivery", "must be widget or app")
	}
	inv, err := s.cfg.Delivery.Show(r.Context(), survey.Visitor{Workspace: ws, UserID: req.UserID, AnonymousID: req.AnonymousID, URL: req.URL, Language: req.Language}, req.SurveyID, delivery)
	if err != nil {
		return err
	}
	ls, err := inv.Survey.Localize(inv.Invitation.Language)
	if err != nil {
		return err
	}
	ls.Widget = pageRules(inv.Survey.Widget)
	writeJSON(w, http.StatusCreated, WidgetInvitation{Token: inv.Token, InvitationID: inv.Invitation.ID, Survey: ls})
	return nil
}

// AnswersResponse is the answer to POST /survey/v1/answers.
type AnswersResponse struct {
	Token      string `json:"token"`
	ResponseID string `json:"response_id"`
	Complete   bool   `json:"complete"`
	// Next is the id of the next question to ask, null when complete.
	Next     *string `json:"next"`
	ThankYou string  `json:"thank_you"`
}

// handleAnswers records answers from the widget or an app: to the
// invitation of token, or, for an app that asked in its own screens, to a
// new one made for survey_id and the user (the fatigue rules then only
// count the ask).
func (s *Server) handleAnswers(w http.ResponseWriter, r *http.Request) error {
	req, ws, err := s.widgetCall(w, r)
	if err != nil {
		return err
	}
	token := req.Token
	if token == "" {
		if req.SurveyID == "" {
			return touchpoint.FieldError("token", "required (or survey_id with user_id or anonymous_id)")
		}
		inv, err := s.cfg.Delivery.Start(r.Context(), survey.Visitor{Workspace: ws, UserID: req.UserID, AnonymousID: req.AnonymousID, Language: req.Language}, req.SurveyID)
		if err != nil {
			return err
		}
		token = inv.Token
	}
	ss, err := s.cfg.Delivery.Open(r.Context(), token)
	if err != nil {
		return err
	}
	if ss.Invitation.Workspace != ws {
		return survey.ErrInvalidLink
	}
	if ss, err = s.cfg.Delivery.Answer(r.Context(), token, req.Answers, req.Language); err != nil {
		return err
	}
	out := AnswersResponse{Token: token, ResponseID: ss.Response.ID, Complete: ss.Complete()}
	if ss.Next != nil {
		out.Next = &ss.Next.ID
	}
	if ls, err := ss.Survey.Localize(ss.Response.Language); err == nil {
		out.ThankYou = ls.ThankYou
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleDismiss(w http.ResponseWriter, r *http.Request) error {
	req, ws, err := s.widgetCall(w, r)
	if err != nil {
		return err
	}
	ss, err := s.cfg.Delivery.Open(r.Context(), req.Token)
	if err != nil {
		return err
	}
	if ss.Invitation.Workspace != ws {
		return survey.ErrInvalidLink
	}
	if err := s.cfg.Delivery.Dismiss(r.Context(), req.Token); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	return nil
}
