package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/survey"
)

// surveyRoutes are the admin routes of surveys, feedback and CX metrics,
// inside the authenticated group.
func (s *Server) surveyRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.require(touchpoint.PermFeedbackRead))
		r.Get("/surveys", s.handle(s.handleListSurveys))
		r.Get("/surveys/{id}", s.handle(s.handleGetSurvey))
		r.Get("/surveys/{id}/responses", s.handle(s.handleSurveyResponses))
		r.Get("/surveys/{id}/results", s.handle(s.handleSurveyResults))
		r.Get("/survey-settings", s.handle(s.handleGetSurveySettings))
		r.Get("/feedback", s.handle(s.handleListFeedback))
		r.Get("/feedback/topics", s.handle(s.handleFeedbackTopics))
		r.Get("/feedback/{id}", s.handle(s.handleGetFeedback))
		for _, m := range []string{"nps", "csat", "ces", "response-rate"} {
			r.Get("/metrics/"+m, s.handle(s.handleMetric(m, "")))
			r.Get("/metrics/"+m+"/series", s.handle(s.handleMetric(m, "series")))
			r.Get("/metrics/"+m+"/breakdown", s.handle(s.handleMetric(m, "breakdown")))
		}
	})
	r.Group(func(r chi.Router) {
		r.Use(s.require(touchpoint.PermSurveysWrite))
		r.Post("/surveys", s.handle(s.handleCreateSurvey))
		r.Put("/surveys/{id}", s.handle(s.handleUpdateSurvey))
		r.Post("/surveys/preview", s.handle(s.handlePreviewSurvey))
		r.Post("/surveys/{id}/invitations", s.handle(s.handleInvite))
		r.Put("/survey-settings", s.handle(s.handlePutSurveySettings))
	})
	r.Group(func(r chi.Router) {
		r.Use(s.require(touchpoint.PermSourcesManage))
		r.Get("/feedback-hooks", s.handle(s.handleListHooks))
		r.Post("/feedback-hooks", s.handle(s.handleCreateHook))
		r.Post("/feedback-hooks/test", s.handle(s.handleTestHook))
		r.Get("/feedback-hooks/{id}", s.handle(s.handleGetHook))
		r.Put("/feedback-hooks/{id}", s.handle(s.handleUpdateHook))
		r.Post("/feedback-hooks/{id}/revoke", s.handle(s.handleRevokeHook))
		r.Post("/feedback/import", s.handle(s.handleImportFeedback))
	})
}

// SurveyView is a survey as the API shows it: its definition, the
// languages it can be shown in, and, for the builder, each language's
// resolved texts and direction.
type SurveyView struct {
	*touchpoint.Survey
	Languages []string `json:"languages"`
}

func surveyView(sv *touchpoint.Survey) SurveyView {
	return SurveyView{Survey: sv, Languages: sv.Languages()}
}

// SurveysResponse is the answer to GET /api/v1/surveys.
type SurveysResponse struct {
	Surveys []SurveyView `json:"surveys"`
}

func (s *Server) handleListSurveys(w http.ResponseWriter, r *http.Request) error {
	f := touchpoint.SurveyFilter{Workspace: workspaceOf(r)}
	if v := r.URL.Query().Get("status"); v != "" {
		f.Status = &v
	}
	list, err := s.cfg.Surveys.FindSurveys(r.Context(), f)
	if err != nil {
		return err
	}
	out := SurveysResponse{Surveys: []SurveyView{}}
	for _, sv := range list {
		out.Surveys = append(out.Surveys, surveyView(sv))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleGetSurvey(w http.ResponseWriter, r *http.Request) error {
	sv, err := s.cfg.Surveys.FindSurvey(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, surveyView(sv))
	return nil
}

// decodeSurvey reads a survey body; id, workspace, version and times come
// from the server, never from the body.
func decodeSurvey(r *http.Request) (*touchpoint.Survey, error) {
	var sv touchpoint.Survey
	if err := decodeBody(r, &sv); err != nil {
		return nil, err
	}
	sv.Workspace = workspaceOf(r)
	sv.Version, sv.CreatedAt, sv.UpdatedAt = 0, time.Time{}, time.Time{}
	return &sv, nil
}

func (s *Server) handleCreateSurvey(w http.ResponseWriter, r *http.Request) error {
	sv, err := decodeSurvey(r)
	if err != nil {
		return err
	}
	sv.ID = ""
	if err := s.cfg.Surveys.CreateSurvey(r.Context(), sv); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, surveyView(sv))
	return nil
}

func (s *Server) handleUpdateSurvey(w http.ResponseWriter, r *http.Request) error {
	sv, err := decodeSurvey(r)
	if err != nil {
		return err
	}
	sv.ID = chi.URLParam(r, "id")
	if err := s.cfg.Surveys.UpdateSurvey(r.Context(), sv); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, surveyView(sv))
	return nil
}

// PreviewRequest is the body of POST /api/v1/surveys/preview: a survey as
// the builder has it now (saved or not), the language to show, and the
// answers so far (to preview follow-ups).
type PreviewRequest struct {
	Survey   touchpoint.Survey   `json:"survey"`
	Language string              `json:"language"`
	Answers  []touchpoint.Answer `json:"answers"`
}

// PreviewResponse is what the builder draws: the page's HTML (for an
// iframe's srcdoc), the email block's HTML, and the texts resolved in the
// language.
type PreviewResponse struct {
	Language  string                      `json:"language"`
	Dir       string                      `json:"dir"`
	Languages []string                    `json:"languages"`
	Survey    *touchpoint.LocalizedSurvey `json:"survey"`
	Next      string                      `json:"next"`
	HTML      string                      `json:"html"`
	EmailHTML string                      `json:"email_html"`
}

// handlePreviewSurvey validates a draft and renders it without storing
// anything, so the builder can show a live preview and the error of the
// field being edited.
func (s *Server) handlePreviewSurvey(w http.ResponseWriter, r *http.Request) error {
	var req PreviewRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	sv := &req.Survey
	sv.Workspace = workspaceOf(r)
	pv, err := survey.MakePreview(sv, req.Language, req.Answers)
	if err != nil {
		return err
	}
	page := pv.Page
	page.Nonce = survey.NewNonce()
	var buf bytes.Buffer
	if err := survey.RenderPage(&buf, page); err != nil {
		return err
	}
	out := PreviewResponse{Language: pv.Language, Dir: pv.Dir, Languages: pv.Languages, Survey: pv.Survey, HTML: buf.String(), EmailHTML: pv.EmailHTML}
	if pv.Next != nil {
		out.Next = pv.Next.ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// InviteRequest is the body of POST /api/v1/surveys/{id}/invitations.
type InviteRequest struct {
	// Customer is "user_id:42", "email:a@b.com", "anonymous_id:…" or a
	// profile id.
	Customer   string `json:"customer"`
	Delivery   string `json:"delivery"`
	Language   string `json:"language"`
	Touchpoint string `json:"touchpoint"`
}

// InviteResponse carries a personal link and, for email delivery, the
// email block to put in the message.
type InviteResponse struct {
	Invitation *touchpoint.SurveyInvitation `json:"invitation"`
	Token      string                       `json:"token"`
	URL        string                       `json:"url"`
	EmailHTML  string                       `json:"email_html,omitempty"`
}

// handleInvite makes a personal link for a customer, if the fatigue rules
// allow asking them now (else 409 with the reason).
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) error {
	var req InviteRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if req.Delivery == "" {
		req.Delivery = touchpoint.DeliveryLink
	}
	if req.Delivery != touchpoint.DeliveryLink && req.Delivery != touchpoint.DeliveryEmail {
		return touchpoint.FieldError("delivery", "must be link or email (the widget and apps make their own)")
	}
	if strings.TrimSpace(req.Customer) == "" {
		return touchpoint.FieldError("customer", "required: user_id:…, email:…, anonymous_id:… or a profile id")
	}
	ir := survey.InviteRequest{Workspace: workspaceOf(r), SurveyID: chi.URLParam(r, "id"),
		Customer: req.Customer, Delivery: req.Delivery, Language: req.Language, Touchpoint: req.Touchpoint}
	var out InviteResponse
	if req.Delivery == touchpoint.DeliveryEmail {
		inv, err := s.cfg.Delivery.InviteByEmail(r.Context(), ir, s.publicBase(r))
		if err != nil {
			return err
		}
		out = InviteResponse{Invitation: inv.Invitation, Token: inv.Token, URL: inv.URL, EmailHTML: inv.HTML}
	} else {
		inv, err := s.cfg.Delivery.Invite(r.Context(), ir)
		if err != nil {
			return err
		}
		out = InviteResponse{Invitation: inv.Invitation, Token: inv.Token, URL: s.publicBase(r) + "/s/" + inv.Token}
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// publicBase is the address customers reach this server at: the
// configured public URL, else the address the request came to.
func (s *Server) publicBase(r *http.Request) string {
	if s.cfg.Delivery != nil && s.cfg.Delivery.BaseURL != "" {
		return s.cfg.Delivery.BaseURL
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ResponsesResponse is the answer to GET /api/v1/surveys/{id}/responses.
type ResponsesResponse struct {
	Responses []*touchpoint.Response `json:"responses"`
	// Next is the cursor of the next page (before=…), empty at the end.
	Next string `json:"next,omitempty"`
}

func (s *Server) handleSurveyResponses(w http.ResponseWriter, r *http.Request) error {
	ws, id := workspaceOf(r), chi.URLParam(r, "id")
	if _, err := s.cfg.Surveys.FindSurvey(r.Context(), ws, id); err != nil {
		return err
	}
	f := touchpoint.ResponseFilter{Workspace: ws, SurveyID: &id, Before: r.URL.Query().Get("before"), Limit: 100}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return touchpoint.FieldError("limit", "must be a whole number from 1 to 1000")
		}
		f.Limit = n
	}
	list, err := s.cfg.Surveys.FindResponses(r.Context(), f)
	if err != nil {
		return err
	}
	out := ResponsesResponse{Responses: list}
	if len(list) == f.Limit {
		out.Next = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleGetSurveySettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.cfg.Surveys.SurveySettings(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) handlePutSurveySettings(w http.ResponseWriter, r *http.Request) error {
	var st touchpoint.SurveySettings
	if err := decodeBody(r, &st); err != nil {
		return err
	}
	if err := s.cfg.Surveys.SetSurveySettings(r.Context(), workspaceOf(r), st); err != nil {
		return err
	}
	return s.handleGetSurveySettings(w, r)
}
