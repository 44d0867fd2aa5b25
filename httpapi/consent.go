package httpapi

import (
	"html/template"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// ConsentResponse is the answer to GET /api/v1/profiles/{id}/consent.
type ConsentResponse struct {
	ProfileID string                `json:"profile_id"`
	Consent   []*touchpoint.Consent `json:"consent"`
}

// ConsentRequest is the body of PUT /api/v1/profiles/{id}/consent.
type ConsentRequest struct {
	Channel string `json:"channel"`
	Status  string `json:"status"`
	Source  string `json:"source"`
}

func (s *Server) profileOf(r *http.Request) (*touchpoint.Profile, error) {
	id, err := profileIdentifier(chi.URLParam(r, "id"))
	if err != nil {
		return nil, err
	}
	return s.cfg.Profiles.FindProfile(r.Context(), workspaceOf(r), id)
}

func (s *Server) handleGetConsent(w http.ResponseWriter, r *http.Request) error {
	p, err := s.profileOf(r)
	if err != nil {
		return err
	}
	cs, err := s.cfg.Consent.Consents(r.Context(), workspaceOf(r), p.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ConsentResponse{ProfileID: p.ID, Consent: cs})
	return nil
}

// handlePutConsent records a customer's answer for one channel; the change
// is also recorded in the log as a consent.changed event.
func (s *Server) handlePutConsent(w http.ResponseWriter, r *http.Request) error {
	var req ConsentRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	p, err := s.profileOf(r)
	if err != nil {
		return err
	}
	if req.Source == "" {
		req.Source = "api"
	}
	c := &touchpoint.Consent{Workspace: workspaceOf(r), ProfileID: p.ID, Channel: req.Channel, Status: req.Status, Source: req.Source, UpdatedBy: actorFrom(r).String()}
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := s.cfg.Orchestrator.RecordConsent(r.Context(), c); err != nil {
		return err
	}
	cs, err := s.cfg.Consent.Consents(r.Context(), c.Workspace, p.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ConsentResponse{ProfileID: p.ID, Consent: cs})
	return nil
}

// SuppressionsResponse is the answer to GET /api/v1/suppressions.
type SuppressionsResponse struct {
	Suppressions []*touchpoint.Suppression `json:"suppressions"`
}

func (s *Server) handleListSuppressions(w http.ResponseWriter, r *http.Request) error {
	out, err := s.cfg.Consent.Suppressions(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SuppressionsResponse{Suppressions: out})
	return nil
}

// SuppressionRequest is the body of POST /api/v1/suppressions.
type SuppressionRequest struct {
	Kind   string `json:"kind"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

func (s *Server) handleAddSuppression(w http.ResponseWriter, r *http.Request) error {
	var req SuppressionRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	sup := &touchpoint.Suppression{Workspace: workspaceOf(r), Kind: req.Kind, Value: req.Value, Reason: req.Reason}
	if err := s.cfg.Consent.AddSuppression(r.Context(), sup); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sup)
	return nil
}

func (s *Server) handleRemoveSuppression(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Consent.RemoveSuppression(r.Context(), workspaceOf(r), chi.URLParam(r, "kind"), chi.URLParam(r, "value")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

var unsubscribePage = template.Must(template.New("u").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Done}}You are unsubscribed{{else}}Unsubscribe{{end}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem}</style>
</head><body>
{{if .Done}}<h1>You are unsubscribed</h1><p>You will no longer receive {{.Channel}} messages from us.</p>
{{else if .Error}}<h1>Link not valid</h1><p>{{.Error}}</p>
{{else}}<h1>Unsubscribe</h1><p>Stop receiving messages from us by this channel?</p>
<form method="post"><button type="submit">Unsubscribe</button></form>{{end}}
</body></html>`))

// handleUnsubscribePage serves the page an unsubscribe link opens. It
// asks before acting: mail scanners follow links, and a GET must not
// unsubscribe anyone.
func (s *Server) handleUnsubscribePage(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return unsubscribePage.Execute(w, map[string]any{})
}

// handleUnsubscribe acts on the link: from the page's button, or as the
// one-click POST mail clients send (RFC 8058). No sign-in is needed: the
// token is signed.
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cfg.Orchestrator.Unsubscribe(r.Context(), chi.URLParam(r, "token"))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		if touchpoint.ErrorCode(err) == touchpoint.EINTERNAL {
			return err
		}
		w.WriteHeader(ErrorStatus(touchpoint.ErrorCode(err)))
		return unsubscribePage.Execute(w, map[string]any{"Error": touchpoint.ErrorMessage(err)})
	}
	return unsubscribePage.Execute(w, map[string]any{"Done": true, "Channel": c.Channel})
}

// InAppResponse is the answer to GET /v1/inapp.
type InAppResponse struct {
	Messages []*touchpoint.InAppMessage `json:"messages"`
}

// inAppCustomer reads who the widget asks for, authenticated by the
// site's write key: userId or anonymousId, as query parameters.
func (s *Server) inAppCustomer(r *http.Request) (string, touchpoint.Identifier, error) {
	src, err := s.writeKeySource(r, "")
	if err != nil {
		return "", touchpoint.Identifier{}, err
	}
	q := r.URL.Query()
	switch {
	case q.Get("userId") != "":
		return src.Workspace, touchpoint.Identifier{Kind: touchpoint.KindUserID, Value: q.Get("userId")}, nil
	case q.Get("anonymousId") != "":
		return src.Workspace, touchpoint.Identifier{Kind: touchpoint.KindAnonymousID, Value: q.Get("anonymousId")}, nil
	}
	return "", touchpoint.Identifier{}, touchpoint.FieldError("userId", "userId or anonymousId is required")
}

// handleInApp serves the web widget a customer's pending in-app messages.
func (s *Server) handleInApp(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := s.inAppCustomer(r)
	if err != nil {
		return err
	}
	msgs, err := s.cfg.Orchestrator.InApp(r.Context(), ws, id)
	if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
		msgs, err = []*touchpoint.InAppMessage{}, nil // an unknown visitor simply has nothing
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, InAppResponse{Messages: msgs})
	return nil
}

func (s *Server) handleInAppSeen(w http.ResponseWriter, r *http.Request) error {
	ws, id, err := s.inAppCustomer(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Orchestrator.SeenInApp(r.Context(), ws, id, chi.URLParam(r, "id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	return nil
}
