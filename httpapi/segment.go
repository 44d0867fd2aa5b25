package httpapi

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// segmentRoutes are the admin routes of segments, destinations and
// personas, inside the authenticated group. Definitions and sizes are
// analytics (analytics:read); members and their history are personal data
// (profiles:read); changes need segments:write.
func (s *Server) segmentRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.require(touchpoint.PermAnalyticsRead))
		r.Get("/segments", s.handle(s.handleListSegments))
		r.Post("/segments/estimate", s.handle(s.handleEstimateSegment))
		r.Get("/segments/{id}", s.handle(s.handleGetSegment))
		r.Get("/segments/{id}/sizes", s.handle(s.handleSegmentSizes))
		r.Get("/personas", s.handle(s.handleListPersonas))
	})
	r.Group(func(r chi.Router) {
		r.Use(s.require(touchpoint.PermProfilesRead))
		r.Get("/segments/{id}/members", s.handle(s.handleSegmentMembers))
		r.Get("/segments/{id}/members.csv", s.handle(s.handleSegmentCSV))
		r.Get("/segments/{id}/history", s.handle(s.handleSegmentHistory))
		r.Get("/profiles/{id}/segments", s.handle(s.handleProfileSegments))
	})
	r.Group(func(r chi.Router) {
		r.Use(s.require(touchpoint.PermSegmentsWrite))
		r.Post("/segments", s.handle(s.handleCreateSegment))
		r.Put("/segments/{id}", s.handle(s.handleUpdateSegment))
		r.Delete("/segments/{id}", s.handle(s.handleDeleteSegment))
		r.Get("/segments/{id}/destinations", s.handle(s.handleListDestinations))
		r.Post("/segments/{id}/destinations", s.handle(s.handleCreateDestination))
		r.Delete("/segments/{id}/destinations/{destination}", s.handle(s.handleDeleteDestination))
		r.Post("/segments/{id}/destinations/{destination}/sync", s.handle(s.handleSyncDestination))
		r.Post("/personas/refresh", s.handle(s.handleRefreshPersonas))
	})
}

func (s *Server) segments() (touchpoint.SegmentService, error) {
	if s.cfg.SegmentAdmin == nil {
		return nil, touchpoint.Errorf(touchpoint.EUNAVAILABLE, "segments are not available on this server")
	}
	return s.cfg.SegmentAdmin, nil
}

// SegmentsResponse is the answer to GET /api/v1/segments.
type SegmentsResponse struct {
	Segments []*touchpoint.Segment `json:"segments"`
}

func (s *Server) handleListSegments(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	f := touchpoint.SegmentFilter{Workspace: workspaceOf(r)}
	if v := r.URL.Query().Get("persona"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return touchpoint.FieldError("persona", "must be true or false")
		}
		f.Persona = &b
	}
	list, err := svc.FindSegments(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SegmentsResponse{Segments: list})
	return nil
}

func (s *Server) handleGetSegment(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	seg, err := svc.FindSegment(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, seg)
	return nil
}

// SegmentRequest is the body of POST and PUT /api/v1/segments: what a
// client may set. The id, version, size and times are the server's.
type SegmentRequest struct {
	Name        string                      `json:"name"`
	Description string                      `json:"description"`
	Persona     bool                        `json:"persona"`
	Condition   touchpoint.SegmentCondition `json:"condition"`
}

func decodeSegment(r *http.Request) (*touchpoint.Segment, error) {
	var req SegmentRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	seg := &touchpoint.Segment{Workspace: workspaceOf(r), Name: req.Name, Description: req.Description, Persona: req.Persona, Condition: req.Condition}
	if a := actorFrom(r); a != nil {
		seg.CreatedBy = a.Name
	}
	return seg, nil
}

func (s *Server) handleCreateSegment(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	seg, err := decodeSegment(r)
	if err != nil {
		return err
	}
	if err := svc.CreateSegment(r.Context(), seg); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, seg)
	return nil
}

func (s *Server) handleUpdateSegment(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	seg, err := decodeSegment(r)
	if err != nil {
		return err
	}
	seg.ID = chi.URLParam(r, "id")
	if err := svc.UpdateSegment(r.Context(), seg); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, seg)
	return nil
}

func (s *Server) handleDeleteSegment(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	if err := svc.DeleteSegment(r.Context(), workspaceOf(r), chi.URLParam(r, "id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// EstimateRequest is the body of POST /api/v1/segments/estimate.
type EstimateRequest struct {
	Condition touchpoint.SegmentCondition `json:"condition"`
}

func (s *Server) handleEstimateSegment(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	var req EstimateRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	est, err := svc.EstimateSegment(r.Context(), workspaceOf(r), req.Condition)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, est)
	return nil
}

// SizesResponse is the answer to GET /api/v1/segments/{id}/sizes.
type SizesResponse struct {
	Sizes []touchpoint.SegmentSize `json:"sizes"`
}

func (s *Server) handleSegmentSizes(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	days := 90
	if v := r.URL.Query().Get("days"); v != "" {
		if days, err = strconv.Atoi(v); err != nil || days < 1 || days > 3650 {
			return touchpoint.FieldError("days", "must be a whole number from 1 to 3650")
		}
	}
	since := s.cfg.Clock.Now().UTC().Truncate(24 * time.Hour).Add(-time.Duration(days-1) * 24 * time.Hour)
	sizes, err := svc.SegmentSizes(r.Context(), workspaceOf(r), chi.URLParam(r, "id"), since)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SizesResponse{Sizes: sizes})
	return nil
}

// MembersResponse is a page of GET /api/v1/segments/{id}/members.
type MembersResponse struct {
	Members []touchpoint.SegmentMember `json:"members"`
	// Next is the cursor of the next page (after=…), empty at the end.
	Next string `json:"next,omitempty"`
}

func (s *Server) handleSegmentMembers(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	limit, err := limitParam(r, touchpoint.DefaultMemberLimit, touchpoint.MaxMemberLimit)
	if err != nil {
		return err
	}
	ms, err := svc.SegmentMembersPage(r.Context(), touchpoint.SegmentMemberFilter{Workspace: workspaceOf(r), SegmentID: chi.URLParam(r, "id"),
		After: r.URL.Query().Get("after"), Limit: limit})
	if err != nil {
		return err
	}
	out := MembersResponse{Members: ms}
	if len(ms) == limit {
		out.Next = ms[len(ms)-1].ProfileID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleSegmentCSV streams every member as CSV, a page at a time.
func (s *Server) handleSegmentCSV(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	ws, id := workspaceOf(r), chi.URLParam(r, "id")
	name := id
	if !strings.HasPrefix(id, "prs_") {
		seg, err := svc.FindSegment(r.Context(), ws, id)
		if err != nil {
			return err
		}
		name = seg.Name
	}
	// The first page is read before anything is written, so an unknown
	// segment still answers with a JSON error.
	const page = 2000
	ms, err := svc.SegmentMembersPage(r.Context(), touchpoint.SegmentMemberFilter{Workspace: ws, SegmentID: id, Limit: page})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+csvFileName(name)+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"profile_id", "user_id", "email", "phone", "anonymous_id", "name", "since"})
	for {
		for _, m := range ms {
			since := ""
			if !m.Since.IsZero() {
				since = m.Since.UTC().Format(time.RFC3339)
			}
			cw.Write([]string{m.ProfileID, m.UserID, m.Email, m.Phone, m.AnonymousID, csvSafe(m.Name), since})
		}
		cw.Flush()
		if err := cw.Error(); err != nil || len(ms) < page {
			return nil // the client went away, or the end
		}
		if ms, err = svc.SegmentMembersPage(r.Context(), touchpoint.SegmentMemberFilter{Workspace: ws, SegmentID: id, Limit: page,
			After: ms[len(ms)-1].ProfileID}); err != nil {
			s.logger.Error("segment export", "segment", id, "err", err)
			return nil
		}
	}
}

// csvSafe keeps a spreadsheet from reading a customer's text as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvFileName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "segment"
	}
	return out
}

// HistoryResponse is a page of GET /api/v1/segments/{id}/history.
type HistoryResponse struct {
	Changes []touchpoint.SegmentChange `json:"changes"`
	// Next is the cursor of the next (older) page (before=…), 0 at the end.
	Next int64 `json:"next,omitempty"`
}

func (s *Server) handleSegmentHistory(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	limit, err := limitParam(r, touchpoint.DefaultMemberLimit, touchpoint.MaxMemberLimit)
	if err != nil {
		return err
	}
	f := touchpoint.SegmentHistoryFilter{Workspace: workspaceOf(r), SegmentID: chi.URLParam(r, "id"), ProfileID: r.URL.Query().Get("profile_id"), Limit: limit}
	if v := r.URL.Query().Get("before"); v != "" {
		if f.Before, err = strconv.ParseInt(v, 10, 64); err != nil || f.Before < 1 {
			return touchpoint.FieldError("before", "must be a change id")
		}
	}
	if _, err := svc.FindSegment(r.Context(), f.Workspace, f.SegmentID); err != nil {
		return err
	}
	changes, err := svc.SegmentHistory(r.Context(), f)
	if err != nil {
		return err
	}
	out := HistoryResponse{Changes: changes}
	if len(changes) == limit {
		out.Next = changes[len(changes)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleProfileSegments(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.segments()
	if err != nil {
		return err
	}
	list, err := svc.ProfileSegments(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SegmentsResponse{Segments: list})
	return nil
}

// DestinationsResponse is the answer to GET /api/v1/segments/{id}/destinations.
type DestinationsResponse struct {
	Destinations []*touchpoint.Destination `json:"destinations"`
}

// DestinationRequest is the body of POST /api/v1/segments/{id}/destinations.
type DestinationRequest struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

func (s *Server) destinations() (touchpoint.DestinationService, error) {
	if s.cfg.Destinations == nil {
		return nil, touchpoint.Errorf(touchpoint.EUNAVAILABLE, "destinations are not available on this server")
	}
	return s.cfg.Destinations, nil
}

func (s *Server) handleListDestinations(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.destinations()
	if err != nil {
		return err
	}
	list, err := svc.Destinations(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, DestinationsResponse{Destinations: list})
	return nil
}

func (s *Server) handleCreateDestination(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.destinations()
	if err != nil {
		return err
	}
	var req DestinationRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	d := &touchpoint.Destination{Workspace: workspaceOf(r), SegmentID: chi.URLParam(r, "id"), Name: req.Name, URL: req.URL}
	if err := svc.CreateDestination(r.Context(), d); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (s *Server) handleDeleteDestination(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.destinations()
	if err != nil {
		return err
	}
	if err := svc.DeleteDestination(r.Context(), workspaceOf(r), chi.URLParam(r, "id"), chi.URLParam(r, "destination")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleSyncDestination(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.destinations()
	if err != nil {
		return err
	}
	if err := svc.SyncDestination(r.Context(), workspaceOf(r), chi.URLParam(r, "id"), chi.URLParam(r, "destination")); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "queued"})
	return nil
}

// PersonasResponse is the answer to GET /api/v1/personas.
type PersonasResponse struct {
	Personas []*touchpoint.Persona  `json:"personas"`
	Run      *touchpoint.PersonaRun `json:"run"`
}

func (s *Server) personas() (touchpoint.PersonaService, error) {
	if s.cfg.Personas == nil {
		return nil, touchpoint.Errorf(touchpoint.EUNAVAILABLE, "personas are not available on this server")
	}
	return s.cfg.Personas, nil
}

func (s *Server) handleListPersonas(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.personas()
	if err != nil {
		return err
	}
	list, run, err := svc.Personas(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	if list == nil {
		list = []*touchpoint.Persona{}
	}
	writeJSON(w, http.StatusOK, PersonasResponse{Personas: list, Run: run})
	return nil
}

func (s *Server) handleRefreshPersonas(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.personas()
	if err != nil {
		return err
	}
	run, err := svc.RefreshPersonas(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, run)
	return nil
}
