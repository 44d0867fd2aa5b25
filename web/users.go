package web

import (
	"net/http"

	"github.com/touchpoint-cx/touchpoint"
)

func (d *Dashboard) userPages() []*Page {
	return []*Page{{
		Section: "Workspace", Title: "Users & roles", Path: "/users", Nav: true, Icon: "team",
		Permission: touchpoint.PermUsersManage, Template: "users.html", Load: d.loadUsers,
	}}
}

// UsersData is what the users page shows.
type UsersData struct {
	Members     []*touchpoint.Membership
	Invitations []*touchpoint.Invitation
	// Grantable are the roles the viewer may give.
	Grantable []touchpoint.Role
}

// CanManage reports whether the viewer may change a member of role r.
func (u UsersData) CanManage(viewer, r touchpoint.Role) bool { return viewer.Outranks(r) }

func (d *Dashboard) loadUsers(r *http.Request, v *View) error {
	ws := v.Workspace.ID
	var data UsersData
	var err error
	if data.Members, err = d.cfg.Users.Memberships(r.Context(), touchpoint.MembershipFilter{Workspace: &ws}); err != nil {
		return err
	}
	if data.Invitations, err = d.cfg.Users.Invitations(r.Context(), ws); err != nil {
		return err
	}
	for _, role := range touchpoint.Roles() {
		if v.Actor.Role.Outranks(role) {
			data.Grantable = append(data.Grantable, role)
		}
	}
	v.Data = data
	return nil
}
