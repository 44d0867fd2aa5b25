package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// JourneyResponse is a journey with the links of its draft listed as
// edges, for a canvas to draw.
type JourneyResponse struct {
	*touchpoint.Journey
	Edges []touchpoint.Edge `json:"edges"`
}

func journeyResponse(j *touchpoint.Journey) JourneyResponse {
	e := j.Draft.Edges()
	if e == nil {
		e = []touchpoint.Edge{}
	}
	return JourneyResponse{Journey: j, Edges: e}
}

// JourneysResponse is the answer to GET /api/v1/journeys.
type JourneysResponse struct {
	Journeys []*touchpoint.Journey `json:"journeys"`
}

func (s *Server) handleListJourneys(w http.ResponseWriter, r *http.Request) error {
	js, err := s.cfg.Journeys.ListJourneys(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, JourneysResponse{Journeys: js})
	return nil
}

// readJourney reads a journey document in JSON or YAML from the body.
func readJourney(r *http.Request) (*touchpoint.JourneyDocument, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, touchpoint.MaxJourneyBytes+1))
	if err != nil {
		return nil, touchpoint.Errorf(touchpoint.ETOOLARGE, "journey document is larger than %d bytes", touchpoint.MaxJourneyBytes)
	}
	return touchpoint.DecodeJourney(body)
}

// saveJourney validates a document and stores it as the journey's draft.
func (s *Server) saveJourney(w http.ResponseWriter, r *http.Request, doc *touchpoint.JourneyDocument, status int) error {
	ws := workspaceOf(r)
	if err := doc.Validate(r.Context(), ws, s.cfg.Orchestrator.CheckURL); err != nil {
		return err
	}
	j := &touchpoint.Journey{ID: doc.ID, Workspace: ws, Draft: doc.JourneyDefinition, UpdatedBy: actorFrom(r).String()}
	if err := s.cfg.Journeys.SaveJourney(r.Context(), j); err != nil {
		return err
	}
	writeJSON(w, status, journeyResponse(j))
	return nil
}

// handleCreateJourney serves POST /api/v1/journeys: a new journey, whose
// id the document gives.
func (s *Server) handleCreateJourney(w http.ResponseWriter, r *http.Request) error {
	doc, err := readJourney(r)
	if err != nil {
		return err
	}
	if err := touchpoint.ValidateJourneyID(doc.ID); err != nil {
		return err
	}
	if _, err := s.cfg.Journeys.FindJourney(r.Context(), workspaceOf(r), doc.ID); err == nil {
		return touchpoint.Errorf(touchpoint.ECONFLICT, "journey %q already exists; PUT /api/v1/journeys/%s replaces its draft", doc.ID, doc.ID)
	} else if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		return err
	}
	return s.saveJourney(w, r, doc, http.StatusCreated)
}

// handlePutJourney serves PUT /api/v1/journeys/{id}: create the journey or
// replace its draft. Published versions are never changed.
func (s *Server) handlePutJourney(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	doc, err := readJourney(r)
	if err != nil {
		return err
	}
	if doc.ID != "" && doc.ID != id {
		return touchpoint.FieldError("id", "the document says %q but the URL says %q", doc.ID, id)
	}
	doc.ID = id
	if err := touchpoint.ValidateJourneyID(id); err != nil {
		return err
	}
	return s.saveJourney(w, r, doc, http.StatusOK)
}

// handleGetJourney serves a journey; ?format=yaml gives its draft as a
// YAML document ready to keep in git.
func (s *Server) handleGetJourney(w http.ResponseWriter, r *http.Request) error {
	j, err := s.cfg.Journeys.FindJourney(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("format") {
	case "", "json":
	case "yaml":
		b, err := touchpoint.EncodeJourneyYAML(&touchpoint.JourneyDocument{ID: j.ID, JourneyDefinition: j.Draft})
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/yaml")
		w.Write(b)
		return nil
	default:
		return touchpoint.FieldError("format", "must be json or yaml")
	}
	writeJSON(w, http.StatusOK, journeyResponse(j))
	return nil
}

func (s *Server) handlePublishJourney(w http.ResponseWriter, r *http.Request) error {
	ws, id := workspaceOf(r), chi.URLParam(r, "id")
	j, err := s.cfg.Journeys.FindJourney(r.Context(), ws, id)
	if err != nil {
		return err
	}
	// A draft is checked again when published: an allowed host may have
	// been removed since it was saved.
	if err := j.Draft.Validate(r.Context(), ws, s.cfg.Orchestrator.CheckURL); err != nil {
		return err
	}
	v, err := s.cfg.Journeys.PublishJourney(r.Context(), ws, id, actorFrom(r).String())
	if err != nil {
		return err
	}
	if s.cfg.JourneysChanged != nil {
		s.cfg.JourneysChanged()
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) handleStopJourney(w http.ResponseWriter, r *http.Request) error {
	j, err := s.cfg.Journeys.StopJourney(r.Context(), workspaceOf(r), chi.URLParam(r, "id"), actorFrom(r).String())
	if err != nil {
		return err
	}
	if s.cfg.JourneysChanged != nil {
		s.cfg.JourneysChanged()
	}
	writeJSON(w, http.StatusOK, journeyResponse(j))
	return nil
}

// ValidateResponse is the answer to POST /api/v1/journeys/{id}/validate.
type ValidateResponse struct {
	Valid bool              `json:"valid"`
	Edges []touchpoint.Edge `json:"edges"`
}

// handleValidateJourney checks a document as saving it would, storing
// nothing: a builder or a CI job can check a draft without replacing the
// one saved.
func (s *Server) handleValidateJourney(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	doc, err := readJourney(r)
	if err != nil {
		return err
	}
	if doc.ID != "" && doc.ID != id {
		return touchpoint.FieldError("id", "the document says %q but the URL says %q", doc.ID, id)
	}
	if err := touchpoint.ValidateJourneyID(id); err != nil {
		return err
	}
	if err := doc.Validate(r.Context(), workspaceOf(r), s.cfg.Orchestrator.CheckURL); err != nil {
		return err
	}
	e := doc.Edges()
	if e == nil {
		e = []touchpoint.Edge{}
	}
	writeJSON(w, http.StatusOK, ValidateResponse{Valid: true, Edges: e})
	return nil
}

// handlePreviewMessage renders a message step for one customer.
func (s *Server) handlePreviewMessage(w http.ResponseWriter, r *http.Request) error {
	var req touchpoint.MessagePreviewRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	out, err := s.cfg.Orchestrator.PreviewMessage(r.Context(), workspaceOf(r), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func versionParam(r *http.Request, name string) (int, error) {
	v, err := strconv.Atoi(r.URL.Query().Get(name))
	if r.URL.Query().Get(name) == "" {
		return 0, nil
	}
	if err != nil || v < 1 {
		return 0, touchpoint.FieldError(name, "must be a version number (1, 2, …)")
	}
	return v, nil
}

func (s *Server) handleGetJourneyVersion(w http.ResponseWriter, r *http.Request) error {
	v, err := strconv.Atoi(chi.URLParam(r, "version"))
	if err != nil || v < 1 {
		return touchpoint.FieldError("version", "must be a version number (1, 2, …)")
	}
	jv, err := s.cfg.Journeys.FindJourneyVersion(r.Context(), workspaceOf(r), chi.URLParam(r, "id"), v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, jv)
	return nil
}

// handleJourneyStats serves per-node statistics of a version (the active
// one by default).
func (s *Server) handleJourneyStats(w http.ResponseWriter, r *http.Request) error {
	ws, id := workspaceOf(r), chi.URLParam(r, "id")
	v, err := versionParam(r, "version")
	if err != nil {
		return err
	}
	if v == 0 {
		j, err := s.cfg.Journeys.FindJourney(r.Context(), ws, id)
		if err != nil {
			return err
		}
		if j.ActiveVersion == 0 {
			return touchpoint.Errorf(touchpoint.ENOTFOUND, "journey %q was never published: it has no statistics", id)
		}
		v = j.ActiveVersion
	}
	st, err := s.cfg.Journeys.JourneyStats(r.Context(), ws, id, v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// DryRunRequest is the body of POST /api/v1/journeys/{id}/dry-run.
type DryRunRequest struct {
	touchpoint.DryRunRequest
	// Version tests a published version instead of the draft.
	Version int `json:"version,omitempty"`
}

func (s *Server) handleDryRun(w http.ResponseWriter, r *http.Request) error {
	ws, id := workspaceOf(r), chi.URLParam(r, "id")
	var req DryRunRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	var def touchpoint.JourneyDefinition
	if req.Version > 0 {
		jv, err := s.cfg.Journeys.FindJourneyVersion(r.Context(), ws, id, req.Version)
		if err != nil {
			return err
		}
		def = jv.Definition
	} else {
		j, err := s.cfg.Journeys.FindJourney(r.Context(), ws, id)
		if err != nil {
			return err
		}
		def = j.Draft
	}
	out, err := s.cfg.Orchestrator.DryRun(r.Context(), ws, &def, req.DryRunRequest)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// EnrolRequest is the body of POST /api/v1/journeys/{id}/enrol.
type EnrolRequest struct {
	// Profile is a profile id or a kind:value identifier.
	Profile    string          `json:"profile"`
	Properties json.RawMessage `json:"properties,omitempty"`
}

func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) error {
	var req EnrolRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Profile) == "" {
		return touchpoint.FieldError("profile", "required: a profile id or kind:value identifier")
	}
	id, err := profileIdentifier(req.Profile)
	if err != nil {
		return err
	}
	en, err := s.cfg.Orchestrator.Enrol(r.Context(), workspaceOf(r), chi.URLParam(r, "id"), id, req.Properties)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, en)
	return nil
}

// EnrolmentsResponse is the answer to GET /api/v1/journeys/{id}/enrolments.
type EnrolmentsResponse struct {
	Enrolments []*touchpoint.Enrolment `json:"enrolments"`
}

func (s *Server) handleEnrolments(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	f := touchpoint.EnrolmentFilter{Workspace: workspaceOf(r), JourneyID: &id, Limit: 100}
	q := r.URL.Query()
	if v := q.Get("status"); v != "" {
		f.Status = &v
	}
	if v := q.Get("profile"); v != "" {
		pid, err := profileIdentifier(v)
		if err != nil {
			return err
		}
		p, err := s.cfg.Profiles.FindProfile(r.Context(), f.Workspace, pid)
		if err != nil {
			return err
		}
		f.ProfileID = &p.ID
	}
	var err error
	if f.Limit, err = limitParam(r, f.Limit, 1000); err != nil {
		return err
	}
	es, err := s.cfg.Journeys.FindEnrolments(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, EnrolmentsResponse{Enrolments: es})
	return nil
}

// MessagesResponse is the answer to GET /api/v1/messages.
type MessagesResponse struct {
	Messages []*touchpoint.Delivery `json:"messages"`
}

// handleMessages lists the outbox: ?status=dead shows the dead letters.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) error {
	f := touchpoint.DeliveryFilter{Workspace: workspaceOf(r), Limit: 100}
	q := r.URL.Query()
	if v := q.Get("status"); v != "" {
		switch v {
		case touchpoint.DeliveryPending, touchpoint.DeliverySending, touchpoint.DeliverySent, touchpoint.DeliverySkipped, touchpoint.DeliveryDead:
		default:
			return touchpoint.FieldError("status", "must be pending, sending, sent, skipped or dead")
		}
		f.Status = &v
	}
	if v := q.Get("journey_id"); v != "" {
		f.JourneyID = &v
	}
	if v := q.Get("profile_id"); v != "" {
		f.ProfileID = &v
	}
	var err error
	if f.Limit, err = limitParam(r, f.Limit, 1000); err != nil {
		return err
	}
	ms, err := s.cfg.Deliveries.FindDeliveries(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, MessagesResponse{Messages: ms})
	return nil
}

func (s *Server) handleRetryMessage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Deliveries.RetryDelivery(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	if s.cfg.MessagesQueued != nil {
		s.cfg.MessagesQueued()
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleGetMessagingSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.cfg.Messaging.MessagingSettings(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// handlePutMessagingSettings replaces the workspace's messaging rules.
// Every field must be given: start from GET /api/v1/messaging/settings.
func (s *Server) handlePutMessagingSettings(w http.ResponseWriter, r *http.Request) error {
	var st touchpoint.MessagingSettings
	if err := decodeBody(r, &st); err != nil {
		return err
	}
	if err := s.cfg.Messaging.SetMessagingSettings(r.Context(), workspaceOf(r), st); err != nil {
		return err
	}
	got, err := s.cfg.Messaging.MessagingSettings(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, got)
	return nil
}

// journeyRoutes are the routes of journeys, messages and consent, inside
// the authenticated group.
func (s *Server) journeyRoutes(r chi.Router) {
	r.With(s.require(touchpoint.PermAnalyticsRead)).Get("/journeys", s.handle(s.handleListJourneys))
	r.With(s.require(touchpoint.PermAnalyticsRead)).Get("/journeys/{id}", s.handle(s.handleGetJourney))
	r.With(s.require(touchpoint.PermAnalyticsRead)).Get("/journeys/{id}/versions/{version}", s.handle(s.handleGetJourneyVersion))
	r.With(s.require(touchpoint.PermAnalyticsRead)).Get("/journeys/{id}/stats", s.handle(s.handleJourneyStats))
	r.With(s.require(touchpoint.PermProfilesRead)).Get("/journeys/{id}/enrolments", s.handle(s.handleEnrolments))
	r.Group(func(r chi.Router) {
		r.Use(s.require(touchpoint.PermJourneysWrite))
		r.Post("/journeys", s.handle(s.handleCreateJourney))
		r.Put("/journeys/{id}", s.handle(s.handlePutJourney))
		r.Post("/journeys/{id}/publish", s.handle(s.handlePublishJourney))
		r.Post("/journeys/{id}/stop", s.handle(s.handleStopJourney))
		r.Post("/journeys/{id}/dry-run", s.handle(s.handleDryRun))
		r.Post("/journeys/{id}/validate", s.handle(s.handleValidateJourney))
		r.Post("/messages/preview", s.handle(s.handlePreviewMessage))
		r.Get("/messaging/settings", s.handle(s.handleGetMessagingSettings))
	})
	r.With(s.require(touchpoint.PermWorkspaceAdmin)).Put("/messaging/settings", s.handle(s.handlePutMessagingSettings))
	r.With(s.require(touchpoint.PermWorkspaceAdmin)).Get("/messaging/webhook-secret", s.handle(s.handleWebhookSecret))
	r.With(s.require(touchpoint.PermMessagesSend)).Post("/journeys/{id}/enrol", s.handle(s.handleEnrol))
	r.With(s.require(touchpoint.PermProfilesRead)).Get("/messages", s.handle(s.handleMessages))
	r.With(s.require(touchpoint.PermProfilesRead)).Get("/lists", s.handle(s.handleLists))
	r.With(s.require(touchpoint.PermProfilesRead)).Get("/lists/{list}/members", s.handle(s.handleListMembers))
	r.With(s.require(touchpoint.PermMessagesSend)).Post("/messages/{id}/retry", s.handle(s.handleRetryMessage))
	r.With(s.require(touchpoint.PermProfilesRead)).Get("/profiles/{id}/consent", s.handle(s.handleGetConsent))
	r.Group(func(r chi.Router) {
		r.Use(s.require(touchpoint.PermPrivacyManage))
		r.Put("/profiles/{id}/consent", s.handle(s.handlePutConsent))
		r.Get("/suppressions", s.handle(s.handleListSuppressions))
		r.Post("/suppressions", s.handle(s.handleAddSuppression))
		r.Delete("/suppressions/{kind}/{value}", s.handle(s.handleRemoveSuppression))
	})
}

// ListsResponse is the answer to GET /api/v1/lists.
type ListsResponse struct {
	Lists []touchpoint.List `json:"lists"`
}

func (s *Server) handleLists(w http.ResponseWriter, r *http.Request) error {
	ls, err := s.cfg.Journeys.Lists(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ListsResponse{Lists: ls})
	return nil
}

// ListMembersResponse is a page of GET /api/v1/lists/{list}/members.
type ListMembersResponse struct {
	Members []touchpoint.ListMember `json:"members"`
	// Next is the cursor of the next page (after=…), empty at the end.
	Next string `json:"next,omitempty"`
}

func (s *Server) handleListMembers(w http.ResponseWriter, r *http.Request) error {
	limit, err := limitParam(r, touchpoint.DefaultMemberLimit, touchpoint.MaxMemberLimit)
	if err != nil {
		return err
	}
	ms, err := s.cfg.Journeys.ListMembers(r.Context(), workspaceOf(r), chi.URLParam(r, "list"), r.URL.Query().Get("after"), limit)
	if err != nil {
		return err
	}
	out := ListMembersResponse{Members: ms}
	if len(ms) == limit {
		out.Next = ms[len(ms)-1].ProfileID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// WebhookSecretResponse is the answer to GET /api/v1/messaging/webhook-secret.
type WebhookSecretResponse struct {
	// Secret (hex) is the HMAC-SHA256 key of the Touchpoint-Signature header.
	Secret string `json:"secret"`
}

func (s *Server) handleWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	secret, err := s.cfg.Orchestrator.WebhookSecret(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, WebhookSecretResponse{Secret: secret})
	return nil
}
