package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// SourcesResponse is the answer to GET /api/v1/sources.
type SourcesResponse struct {
	Sources []*touchpoint.Source `json:"sources"`
}

// CreateSourceRequest is the body of POST /api/v1/sources.
type CreateSourceRequest struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func (s *Server) handleListSources(w http.ResponseWriter, r *http.Request) error {
	ws := workspaceOf(r)
	f := touchpoint.SourceFilter{Workspace: &ws, IncludeRevoked: r.URL.Query().Get("include_revoked") == "true"}
	sources, err := s.cfg.Sources.FindSources(r.Context(), f)
	if err != nil {
		return err
	}
	if sources == nil {
		sources = []*touchpoint.Source{}
	}
	writeJSON(w, http.StatusOK, SourcesResponse{Sources: sources})
	return nil
}

func (s *Server) handleCreateSource(w http.ResponseWriter, r *http.Request) error {
	var req CreateSourceRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	src := &touchpoint.Source{Workspace: workspaceOf(r), Name: req.Name, Type: req.Type}
	if err := s.cfg.Sources.CreateSource(r.Context(), src); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, src)
	return nil
}

func (s *Server) findSource(r *http.Request) (*touchpoint.Source, error) {
	ws, id := workspaceOf(r), chi.URLParam(r, "id")
	sources, err := s.cfg.Sources.FindSources(r.Context(), touchpoint.SourceFilter{Workspace: &ws, ID: &id, IncludeRevoked: true})
	if err != nil {
		return nil, err
	}
	if len(sources) == 0 {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "source %q not found", id)
	}
	return sources[0], nil
}

func (s *Server) handleGetSource(w http.ResponseWriter, r *http.Request) error {
	src, err := s.findSource(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, src)
	return nil
}

func (s *Server) handleRevokeSource(w http.ResponseWriter, r *http.Request) error {
	src, err := s.cfg.Sources.RevokeSource(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	s.keys.forget(src.WriteKey)
	writeJSON(w, http.StatusOK, src)
	return nil
}
