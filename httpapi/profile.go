package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// profileIdentifier reads a profile reference from the URL: kind:value
// (user_id:42, email:a@b.com, anonymous_id:…) or a profile id.
func profileIdentifier(s string) (touchpoint.Identifier, error) {
	if !strings.Contains(s, ":") {
		return touchpoint.Identifier{Kind: "profile", Value: s}, nil
	}
	id, err := touchpoint.ParseIdentifier(s)
	if err != nil {
		return id, err
	}
	if id.Kind == "profile" {
		return id, nil
	}
	// Look up the identifier the way it was stored.
	if n, err := touchpoint.DefaultIdentityRules().Normalize(id); err == nil {
		id = n
	}
	return id, nil
}

// handleGetProfile serves GET /api/v1/profiles/{identifier}.
func (s *Server) handleGetProfile(w http.ResponseWriter, r *http.Request) error {
	id, err := profileIdentifier(chi.URLParam(r, "identifier"))
	if err != nil {
		return err
	}
	p, err := s.cfg.Profiles.FindProfile(r.Context(), workspaceOf(r), id)
	if err != nil {
		return err
	}
	if s.cfg.Analytics != nil {
		// Churn and lifetime-value scores, once a refresh has computed them.
		sc, err := s.cfg.Analytics.ProfileScores(r.Context(), workspaceOf(r), p.ID)
		if err == nil {
			p.Scores = sc
		} else if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			return err
		}
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// MergesResponse is the answer to GET /api/v1/profiles/{id}/merges: the
// merges made and, newest first, the last merges the rules refused.
type MergesResponse struct {
	Merges   []*touchpoint.Merge          `json:"merges"`
	Rejected []*touchpoint.MergeRejection `json:"rejected"`
}

func (s *Server) handleProfileMerges(w http.ResponseWriter, r *http.Request) error {
	ws := workspaceOf(r)
	p, err := s.cfg.Profiles.FindProfile(r.Context(), ws, touchpoint.Identifier{Kind: "profile", Value: chi.URLParam(r, "id")})
	if err != nil {
		return err
	}
	merges, err := s.cfg.Profiles.Merges(r.Context(), ws, p.ID)
	if err != nil {
		return err
	}
	if merges == nil {
		merges = []*touchpoint.Merge{}
	}
	rejected, err := s.cfg.Profiles.MergeRejections(r.Context(), ws, p.ID, 100)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, MergesResponse{Merges: merges, Rejected: rejected})
	return nil
}

// TraitHistoryResponse is the answer to GET /api/v1/profiles/{id}/trait-history.
type TraitHistoryResponse struct {
	ProfileID string                   `json:"profile_id"`
	Changes   []touchpoint.TraitChange `json:"changes"`
}

// handleTraitHistory serves every value a customer's traits took, newest
// first: GET /api/v1/profiles/{id}/trait-history?key=…&limit=….
func (s *Server) handleTraitHistory(w http.ResponseWriter, r *http.Request) error {
	ws := workspaceOf(r)
	id, err := profileIdentifier(chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	p, err := s.cfg.Profiles.FindProfile(r.Context(), ws, id)
	if err != nil {
		return err
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil {
			return touchpoint.FieldError("limit", "must be a whole number from 1 to %d", touchpoint.MaxEventLimit)
		}
	}
	changes, err := s.cfg.Profiles.TraitHistory(r.Context(), ws, p.ID, r.URL.Query().Get("key"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, TraitHistoryResponse{ProfileID: p.ID, Changes: changes})
	return nil
}

// UnmergeRequest is the body of POST /api/v1/profiles/{id}/unmerge.
type UnmergeRequest struct {
	// MergeID names the merge to undo. It may be left out when the profile
	// was merged into another exactly once, or holds exactly one merge.
	MergeID string `json:"merge_id"`
}

// handleUnmerge undoes a merge, restoring both profiles.
func (s *Server) handleUnmerge(w http.ResponseWriter, r *http.Request) error {
	ws, id := workspaceOf(r), chi.URLParam(r, "id")
	var req UnmergeRequest
	if r.ContentLength != 0 {
		if err := decodeBody(r, &req); err != nil {
			return err
		}
	}
	if req.MergeID == "" {
		p, err := s.cfg.Profiles.FindProfile(r.Context(), ws, touchpoint.Identifier{Kind: "profile", Value: id})
		if err != nil {
			return err
		}
		merges, err := s.cfg.Profiles.Merges(r.Context(), ws, p.ID)
		if err != nil {
			return err
		}
		var active []*touchpoint.Merge
		for _, m := range merges {
			if m.UndoneAt == nil && (id == p.ID || m.Loser == id) {
				active = append(active, m)
			}
		}
		if len(active) != 1 {
			return touchpoint.FieldError("merge_id", "required: profile %s has %d merges that can be undone; name one (GET /api/v1/profiles/%s/merges)", id, len(active), p.ID)
		}
		req.MergeID = active[0].ID
	}
	m, err := s.cfg.Profiles.Unmerge(r.Context(), ws, req.MergeID, actorFrom(r).String())
	if err != nil {
		return err
	}
	if s.cfg.IdentityMapSynced != nil {
		// Answer once analytics shows the two customers apart too.
		if err := s.cfg.IdentityMapSynced(r.Context()); err != nil {
			s.logger.Warn("unmerge done; analytics not caught up yet", "merge", m.ID, "err", err)
		}
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// ProfilesResponse is the answer to GET /api/v1/profiles?q=….
type ProfilesResponse struct {
	Profiles []*touchpoint.Profile `json:"profiles"`
}

// handleSearchProfiles serves GET /api/v1/profiles?q=…&limit=….
func (s *Server) handleSearchProfiles(w http.ResponseWriter, r *http.Request) error {
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return touchpoint.FieldError("limit", "must be a whole number from 1 to 100")
		}
		limit = n
	}
	profiles, err := s.cfg.Profiles.SearchProfiles(r.Context(), workspaceOf(r), r.URL.Query().Get("q"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ProfilesResponse{Profiles: profiles})
	return nil
}

// TimelineResponse is the answer to GET /api/v1/profiles/{id}/timeline.
type TimelineResponse struct {
	ProfileID string              `json:"profile_id"`
	Events    []*touchpoint.Event `json:"events"`
}

// handleTimeline serves a customer's events across channels in time order,
// found by every identifier their profile holds now.
func (s *Server) handleTimeline(w http.ResponseWriter, r *http.Request) error {
	ws := workspaceOf(r)
	id, err := profileIdentifier(chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	p, err := s.cfg.Profiles.FindProfile(r.Context(), ws, id)
	if err != nil {
		return err
	}
	f := touchpoint.TimelineFilter{Workspace: ws, Limit: 1000}
	q := r.URL.Query()
	if f.Limit, err = limitParam(r, f.Limit, touchpoint.MaxEventLimit); err != nil {
		return err
	}
	if v := q.Get("since"); v != "" {
		t, err := touchpoint.ParseTime("since", v)
		if err != nil {
			return err
		}
		f.Since = &t
	}
	for _, pi := range p.Identifiers {
		switch pi.Kind {
		case touchpoint.KindUserID:
			f.UserIDs = append(f.UserIDs, pi.Value)
		case touchpoint.KindAnonymousID:
			f.AnonymousIDs = append(f.AnonymousIDs, pi.Value)
		}
	}
	events, err := s.cfg.Events.Timeline(r.Context(), f)
	if err != nil {
		return err
	}
	if events == nil {
		events = []*touchpoint.Event{}
	}
	writeJSON(w, http.StatusOK, TimelineResponse{ProfileID: p.ID, Events: events})
	return nil
}

func (s *Server) handleGetIdentityRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.cfg.Profiles.IdentityRules(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rules)
	return nil
}

// handlePutIdentityRules replaces the workspace's merge rules. Every field
// must be given: start from GET /api/v1/identity/rules.
func (s *Server) handlePutIdentityRules(w http.ResponseWriter, r *http.Request) error {
	var rules touchpoint.IdentityRules
	if err := decodeBody(r, &rules); err != nil {
		return err
	}
	ws := workspaceOf(r)
	if err := s.cfg.Profiles.SetIdentityRules(r.Context(), ws, rules); err != nil {
		return err
	}
	if s.cfg.RulesChanged != nil {
		s.cfg.RulesChanged(ws)
	}
	writeJSON(w, http.StatusOK, rules)
	return nil
}

// handleGetAccount serves GET /api/v1/accounts/{id}?limit=…: an account's
// traits and its members.
func (s *Server) handleGetAccount(w http.ResponseWriter, r *http.Request) error {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return touchpoint.FieldError("limit", "must be a whole number from 1 to 10000")
		}
		limit = n
	}
	a, err := s.cfg.Profiles.FindAccount(r.Context(), workspaceOf(r), chi.URLParam(r, "id"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
