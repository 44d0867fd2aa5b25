package httpapi

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// UsersResponse is the answer to GET /api/v1/users.
type UsersResponse struct {
	Users []*touchpoint.Membership `json:"users"`
}

// SetRoleRequest is the body of PUT /api/v1/users/{id}.
type SetRoleRequest struct {
	Role string `json:"role"`
}

// InvitationsResponse is the answer to GET /api/v1/invitations.
type InvitationsResponse struct {
	Invitations []*touchpoint.Invitation `json:"invitations"`
}

// CreateInvitationRequest is the body of POST /api/v1/invitations.
type CreateInvitationRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// CreateInvitationResponse carries the invitation link, shown only once.
type CreateInvitationResponse struct {
	Invitation *touchpoint.Invitation `json:"invitation"`
	Token      string                 `json:"token"`
	URL        string                 `json:"url"`
}

func (s *Server) users() (touchpoint.UserService, error) {
	if s.cfg.Users == nil {
		return nil, touchpoint.Errorf(touchpoint.EUNAVAILABLE, "users are not available on this server")
	}
	return s.cfg.Users, nil
}

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.users()
	if err != nil {
		return err
	}
	ws := workspaceOf(r)
	ms, err := users.Memberships(r.Context(), touchpoint.MembershipFilter{Workspace: &ws})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, UsersResponse{Users: ms})
	return nil
}

// member returns a user's membership of the request's workspace.
func (s *Server) member(r *http.Request, users touchpoint.UserService, userID string) (*touchpoint.Membership, error) {
	ws := workspaceOf(r)
	ms, err := users.Memberships(r.Context(), touchpoint.MembershipFilter{Workspace: &ws, UserID: &userID})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "user %q is not a member of workspace %q", userID, ws)
	}
	return ms[0], nil
}

// handleSetUserRole changes a member's role. No one hands out a role above
// their own or changes the role of someone who outranks them.
func (s *Server) handleSetUserRole(w http.ResponseWriter, r *http.Request) error {
	users, err := s.users()
	if err != nil {
		return err
	}
	var req SetRoleRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	role, err := touchpoint.ParseRole(req.Role)
	if err != nil {
		return err
	}
	m, err := s.member(r, users, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	a := actorFrom(r)
	if !a.Role.Outranks(m.Role) || !a.Role.Outranks(role) {
		return touchpoint.Errorf(touchpoint.EFORBIDDEN, "your role (%s) cannot change a %s into a %s", a.Role, m.Role, role)
	}
	m, err = users.SetMembership(r.Context(), m.Workspace, m.UserID, role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// handleRemoveUser takes a member out of the workspace.
func (s *Server) handleRemoveUser(w http.ResponseWriter, r *http.Request) error {
	users, err := s.users()
	if err != nil {
		return err
	}
	m, err := s.member(r, users, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	if a := actorFrom(r); !a.Role.Outranks(m.Role) {
		return touchpoint.Errorf(touchpoint.EFORBIDDEN, "your role (%s) cannot remove a %s", a.Role, m.Role)
	}
	if err := users.RemoveMembership(r.Context(), m.Workspace, m.UserID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleListInvitations(w http.ResponseWriter, r *http.Request) error {
	users, err := s.users()
	if err != nil {
		return err
	}
	invs, err := users.Invitations(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, InvitationsResponse{Invitations: invs})
	return nil
}

// handleCreateInvitation invites someone by email with a role. No mail is
// sent: the answer carries the link, which the inviter passes on.
func (s *Server) handleCreateInvitation(w http.ResponseWriter, r *http.Request) error {
	users, err := s.users()
	if err != nil {
		return err
	}
	var req CreateInvitationRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	role, err := touchpoint.ParseRole(req.Role)
	if err != nil {
		return err
	}
	a := actorFrom(r)
	if !a.Role.Outranks(role) {
		return touchpoint.Errorf(touchpoint.EFORBIDDEN, "your role (%s) cannot invite a %s", a.Role, role)
	}
	inv := &touchpoint.Invitation{Workspace: workspaceOf(r), Email: req.Email, Role: role, InvitedBy: a.String()}
	token, err := users.CreateInvitation(r.Context(), inv)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, CreateInvitationResponse{Invitation: inv, Token: token, URL: origin(r) + "/invite/" + token})
	return nil
}

func (s *Server) handleRevokeInvitation(w http.ResponseWriter, r *http.Request) error {
	users, err := s.users()
	if err != nil {
		return err
	}
	if err := users.RevokeInvitation(r.Context(), workspaceOf(r), chi.URLParam(r, "id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// origin is the scheme and host the client reached this server at, for
// links it will follow. A proxy in front says the scheme in
// X-Forwarded-Proto.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
