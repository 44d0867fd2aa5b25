package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// WorkspacesResponse is the answer to GET /api/v1/workspaces.
type WorkspacesResponse struct {
	Workspaces []*WorkspaceAccess `json:"workspaces"`
}

// WorkspaceAccess is a workspace with the caller's role in it.
type WorkspaceAccess struct {
	touchpoint.Workspace
	Role touchpoint.Role `json:"role"`
}

// CreateWorkspaceRequest is the body of POST /api/v1/workspaces.
type CreateWorkspaceRequest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CreateWorkspaceResponse is the new workspace. A person who creates one
// becomes its owner; an admin key gets an admin key of the new workspace,
// shown only here, since a key reaches one workspace only.
type CreateWorkspaceResponse struct {
	Workspace *touchpoint.Workspace `json:"workspace"`
	AdminKey  string                `json:"admin_key,omitempty"`
}

// RenameWorkspaceRequest is the body of PUT /api/v1/workspace.
type RenameWorkspaceRequest struct {
	Name string `json:"name"`
}

// KeysResponse is the answer to GET /api/v1/keys.
type KeysResponse struct {
	Keys []*touchpoint.APIKey `json:"keys"`
}

// CreateKeyRequest is the body of POST /api/v1/keys.
type CreateKeyRequest struct {
	Name string `json:"name"`
}

// CreateKeyResponse carries a new admin key's secret, shown only once.
type CreateKeyResponse struct {
	Key    *touchpoint.APIKey `json:"key"`
	Secret string             `json:"secret"`
}

// handleListWorkspaces lists the workspaces the caller can act in: a
// person's memberships, or an admin key's one workspace.
func (s *Server) handleListWorkspaces(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r)
	out := []*WorkspaceAccess{}
	if a.Kind == "user" && s.cfg.Users != nil {
		ms, err := s.cfg.Users.Memberships(r.Context(), touchpoint.MembershipFilter{UserID: &a.ID})
		if err != nil {
			return err
		}
		for _, m := range ms {
			ws, err := s.cfg.Workspaces.FindWorkspace(r.Context(), m.Workspace)
			if err != nil {
				return err
			}
			out = append(out, &WorkspaceAccess{Workspace: *ws, Role: m.Role})
		}
	} else {
		ws, err := s.cfg.Workspaces.FindWorkspace(r.Context(), a.Workspace)
		if err != nil {
			return err
		}
		out = append(out, &WorkspaceAccess{Workspace: *ws, Role: a.Role})
	}
	writeJSON(w, http.StatusOK, WorkspacesResponse{Workspaces: out})
	return nil
}

func (s *Server) handleGetWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.cfg.Workspaces.FindWorkspace(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

func (s *Server) handleCreateWorkspace(w http.ResponseWriter, r *http.Request) error {
	var req CreateWorkspaceRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	ws := &touchpoint.Workspace{ID: req.ID, Name: req.Name}
	if err := s.cfg.Workspaces.CreateWorkspace(r.Context(), ws); err != nil {
		return err
	}
	resp := CreateWorkspaceResponse{Workspace: ws}
	a := actorFrom(r)
	if a.Kind == "user" && s.cfg.Users != nil {
		if _, err := s.cfg.Users.SetMembership(r.Context(), ws.ID, a.ID, touchpoint.RoleOwner); err != nil {
			return err
		}
	} else {
		secret, err := s.cfg.APIKeys.CreateAPIKey(r.Context(), &touchpoint.APIKey{Workspace: ws.ID, Name: "admin (created by " + a.String() + ")"})
		if err != nil {
			return err
		}
		resp.AdminKey = secret
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

func (s *Server) handleRenameWorkspace(w http.ResponseWriter, r *http.Request) error {
	var req RenameWorkspaceRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	ws, err := s.cfg.Workspaces.RenameWorkspace(r.Context(), workspaceOf(r), req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

func (s *Server) handleListKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.cfg.APIKeys.FindAPIKeys(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, KeysResponse{Keys: keys})
	return nil
}

func (s *Server) handleCreateKey(w http.ResponseWriter, r *http.Request) error {
	var req CreateKeyRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	k := &touchpoint.APIKey{Workspace: workspaceOf(r), Name: req.Name}
	secret, err := s.cfg.APIKeys.CreateAPIKey(r.Context(), k)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, CreateKeyResponse{Key: k, Secret: secret})
	return nil
}

// handleRevokeKey revokes an admin key. A key may revoke itself: the
// request in hand finishes, the next one is refused.
func (s *Server) handleRevokeKey(w http.ResponseWriter, r *http.Request) error {
	k, err := s.cfg.APIKeys.RevokeAPIKey(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, k)
	return nil
}
