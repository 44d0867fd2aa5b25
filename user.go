package touchpoint

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what a person (or an admin key) may do in a workspace. Roles are
// fixed sets of permissions; the server checks the permission of every page
// and API call, so hiding a button is never the only guard.
type Role string

// The roles, from most to least powerful.
const (
	RoleOwner     Role = "owner"
	RoleAdmin     Role = "admin"
	RoleAnalyst   Role = "analyst"
	RoleMarketer  Role = "marketer"
	RoleSupport   Role = "support"
	RoleViewer    Role = "viewer"
	roleListUsage      = "owner, admin, analyst, marketer, support or viewer"
)

// Roles lists every role, most powerful first.
func Roles() []Role {
	return []Role{RoleOwner, RoleAdmin, RoleAnalyst, RoleMarketer, RoleSupport, RoleViewer}
}

// ParseRole reads a role name. Returns EINVALID naming field "role".
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := rolePermissions[r]; !ok {
		return "", FieldError("role", "unknown role %q (want %s)", s, roleListUsage)
	}
	return r, nil
}

// Permission names one thing a caller may do. Every route declares the
// permission it needs.
type Permission string

// Permissions, grouped by what they guard. ":read" sees, ":write" changes.
const (
	PermOverviewRead   Permission = "overview:read"   // counts and charts, no personal data
	PermEventsRead     Permission = "events:read"     // raw events and the live stream
	PermProfilesRead   Permission = "profiles:read"   // customer profiles and timelines
	PermProfilesWrite  Permission = "profiles:write"  // unmerge, identity rules
	PermSourcesManage  Permission = "sources:manage"  // sources, write keys, imports
	PermAnalyticsRead  Permission = "analytics:read"  // funnels, paths, retention, journey map, drivers
	PermFeedbackRead   Permission = "feedback:read"   // survey results, feedback inbox, text analytics
	PermSurveysWrite   Permission = "surveys:write"   // create and change surveys
	PermSegmentsWrite  Permission = "segments:write"  // create and change segments and personas
	PermJourneysWrite  Permission = "journeys:write"  // create, publish and stop journeys
	PermMessagesSend   Permission = "messages:send"   // send to customers outside a journey
	PermCasesRead      Permission = "cases:read"      // close-the-loop cases
	PermCasesWrite     Permission = "cases:write"     // work cases
	PermUsersManage    Permission = "users:manage"    // invite users, change roles
	PermWorkspaceAdmin Permission = "workspace:admin" // settings, API keys, workspaces
	PermPrivacyManage  Permission = "privacy:manage"  // consent, GDPR export and erasure, audit log
)

var rolePermissions = map[Role][]Permission{
	RoleOwner: allPermissions(),
	RoleAdmin: allPermissions(),
	RoleAnalyst: {PermOverviewRead, PermEventsRead, PermProfilesRead, PermAnalyticsRead, PermFeedbackRead,
		PermSegmentsWrite, PermCasesRead},
	RoleMarketer: {PermOverviewRead, PermEventsRead, PermProfilesRead, PermAnalyticsRead, PermFeedbackRead,
		PermSurveysWrite, PermSegmentsWrite, PermJourneysWrite, PermMessagesSend, PermCasesRead},
	RoleSupport: {PermOverviewRead, PermProfilesRead, PermFeedbackRead, PermCasesRead, PermCasesWrite},
	RoleViewer:  {PermOverviewRead, PermAnalyticsRead, PermFeedbackRead},
}

func allPermissions() []Permission {
	return []Permission{PermOverviewRead, PermEventsRead, PermProfilesRead, PermProfilesWrite, PermSourcesManage,
		PermAnalyticsRead, PermFeedbackRead, PermSurveysWrite, PermSegmentsWrite, PermJourneysWrite, PermMessagesSend,
		PermCasesRead, PermCasesWrite, PermUsersManage, PermWorkspaceAdmin, PermPrivacyManage}
}

// Can reports whether the role grants p.
func (r Role) Can(p Permission) bool { return slices.Contains(rolePermissions[r], p) }

// Permissions lists what the role grants.
func (r Role) Permissions() []Permission { return slices.Clone(rolePermissions[r]) }

// Outranks reports whether r may grant or take away role o: only an owner
// makes or unmakes owners, and no one hands out a role above their own.
func (r Role) Outranks(o Role) bool {
	rank := func(x Role) int { return slices.Index(Roles(), x) }
	if rank(r) < 0 || rank(o) < 0 {
		return false
	}
	if o == RoleOwner {
		return r == RoleOwner
	}
	return rank(r) <= rank(o)
}

// Actor is who is making a request: a person signed in to the dashboard or
// an admin key. Every change records its actor.
type Actor struct {
	// Kind is "user", "api_key" or "system".
	Kind      string `json:"kind"`
	ID        string `json:"id"`
	Name      string `json:"name"`
	Workspace string `json:"workspace"`
	Role      Role   `json:"role"`
}

// Can reports whether the actor's role grants p.
func (a *Actor) Can(p Permission) bool { return a != nil && a.Role.Can(p) }

// String names the actor for audit records, e.g. "user:ana@example.com".
func (a *Actor) String() string {
	if a == nil {
		return "anonymous"
	}
	return fmt.Sprintf("%s:%s", a.Kind, a.Name)
}

// Forbidden returns the EFORBIDDEN error for an actor lacking p.
func Forbidden(a *Actor, p Permission) error {
	role := Role("none")
	if a != nil {
		role = a.Role
	}
	return Errorf(EFORBIDDEN, "your role (%s) does not allow %s", role, p)
}
