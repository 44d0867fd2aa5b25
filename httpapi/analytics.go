package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// decodeAnalytics reads an analytics request body and scopes it to the
// caller's workspace (a body cannot name another one). An empty body
// asks with the defaults.
func decodeAnalytics(r *http.Request, req any, scope *touchpoint.Scope) error {
	if r.ContentLength != 0 {
		if err := decodeBody(r, req); err != nil {
			return err
		}
	}
	scope.Workspace = workspaceOf(r)
	return nil
}

// answer renders an analysis or its error.
func answer[T any](w http.ResponseWriter, out *T, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleFunnel(w http.ResponseWriter, r *http.Request) error {
	var req touchpoint.FunnelRequest
	if err := decodeAnalytics(r, &req, &req.Scope); err != nil {
		return err
	}
	out, err := s.cfg.Analytics.Funnel(r.Context(), req)
	return answer(w, out, err)
}

func (s *Server) handlePaths(w http.ResponseWriter, r *http.Request) error {
	var req touchpoint.PathsRequest
	if err := decodeAnalytics(r, &req, &req.Scope); err != nil {
		return err
	}
	out, err := s.cfg.Analytics.Paths(r.Context(), req)
	return answer(w, out, err)
}

func (s *Server) handleRetention(w http.ResponseWriter, r *http.Request) error {
	var req touchpoint.RetentionRequest
	if err := decodeAnalytics(r, &req, &req.Scope); err != nil {
		return err
	}
	out, err := s.cfg.Analytics.Retention(r.Context(), req)
	return answer(w, out, err)
}

func (s *Server) handleJourneyMap(w http.ResponseWriter, r *http.Request) error {
	var req touchpoint.JourneyMapRequest
	if err := decodeAnalytics(r, &req, &req.Scope); err != nil {
		return err
	}
	out, err := s.cfg.Analytics.JourneyMap(r.Context(), req)
	return answer(w, out, err)
}

func (s *Server) handleDrivers(w http.ResponseWriter, r *http.Request) error {
	var req touchpoint.DriversRequest
	if err := decodeAnalytics(r, &req, &req.Scope); err != nil {
		return err
	}
	out, err := s.cfg.Analytics.Drivers(r.Context(), req)
	return answer(w, out, err)
}

func (s *Server) handleChurn(w http.ResponseWriter, r *http.Request) error {
	var req touchpoint.ChurnRequest
	if err := decodeAnalytics(r, &req, &req.Scope); err != nil {
		return err
	}
	out, err := s.cfg.Analytics.Churn(r.Context(), req)
	return answer(w, out, err)
}

func (s *Server) handleCLV(w http.ResponseWriter, r *http.Request) error {
	var req touchpoint.CLVRequest
	if err := decodeAnalytics(r, &req, &req.Scope); err != nil {
		return err
	}
	out, err := s.cfg.Analytics.CLV(r.Context(), req)
	return answer(w, out, err)
}

// handleRefreshScores retrains the models and stores every profile's scores.
func (s *Server) handleRefreshScores(w http.ResponseWriter, r *http.Request) error {
	out, err := s.cfg.Analytics.RefreshScores(r.Context(), workspaceOf(r), s.cfg.Clock.Now())
	return answer(w, out, err)
}

func (s *Server) handleProfileScores(w http.ResponseWriter, r *http.Request) error {
	ws := workspaceOf(r)
	id := chi.URLParam(r, "profile_id")
	// Any identifier names the customer: scores are kept by profile id.
	if s.cfg.Profiles != nil {
		ref, err := profileIdentifier(id)
		if err != nil {
			return err
		}
		p, err := s.cfg.Profiles.FindProfile(r.Context(), ws, ref)
		if err != nil {
			return err
		}
		id = p.ID
	}
	out, err := s.cfg.Analytics.ProfileScores(r.Context(), ws, id)
	return answer(w, out, err)
}
