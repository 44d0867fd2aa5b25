package touchpoint

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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

// User is a person who signs in to the dashboard with an email address and
// a password. A user holds a role in each workspace they are a member of.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate normalises the email (trimmed, lower-cased) and returns EINVALID
// naming the first bad field.
func (u *User) Validate() error {
	email, err := NormalizeEmail(u.Email)
	if err != nil {
		return err
	}
	u.Email = email
	u.Name = strings.TrimSpace(u.Name)
	if len(u.Name) > 200 {
		return FieldError("name", "must be at most 200 characters")
	}
	return nil
}

// DisplayName is the user's name, or their email when they gave none.
func (u *User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// NormalizeEmail trims and lower-cases an email address of a user.
// Returns EINVALID naming field "email" if it is not an address.
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if e == "" {
		return "", FieldError("email", "required")
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || len(e) > 254 {
		return "", FieldError("email", "%q is not an email address", truncate(s, 80))
	}
	return e, nil
}

// Password rules: long enough to resist guessing, short enough to hash.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

// ValidatePassword returns EINVALID naming field if pw is too weak to use.
func ValidatePassword(field, pw, email string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return FieldError(field, "must be at least %d characters", MinPasswordLength)
	case len(pw) > MaxPasswordLength:
		return FieldError(field, "must be at most %d bytes", MaxPasswordLength)
	case strings.Count(pw, string([]rune(pw)[:1])) == len(pw):
		return FieldError(field, "must not repeat one character")
	case email != "" && strings.EqualFold(pw, email):
		return FieldError(field, "must not be your email address")
	}
	return nil
}

// Membership is a user's role in one workspace.
type Membership struct {
	Workspace string    `json:"workspace"`
	UserID    string    `json:"user_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// MembershipFilter selects memberships. Nil fields do not filter.
type MembershipFilter struct {
	Workspace *string
	UserID    *string
}

// Invitation lets someone join a workspace with a role. Its token is shown
// once, as a link the inviter passes on; only a hash of it is stored.
type Invitation struct {
	ID         string     `json:"id"`
	Workspace  string     `json:"workspace"`
	Email      string     `json:"email"`
	Role       Role       `json:"role"`
	InvitedBy  string     `json:"invited_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// InvitationLifetime is how long an invitation link can be used.
const InvitationLifetime = 7 * 24 * time.Hour

// Pending reports whether the invitation can still be accepted at now.
func (inv *Invitation) Pending(now time.Time) bool {
	return inv.AcceptedAt == nil && inv.RevokedAt == nil && now.Before(inv.ExpiresAt)
}

// UserService manages people, their memberships and invitations.
type UserService interface {
	// CreateUser stores u with a hash of password, assigning ID and
	// CreatedAt. Returns EINVALID for a bad email or weak password,
	// ECONFLICT if the email is taken.
	CreateUser(ctx context.Context, u *User, password string) error

	// FindUser returns a user by id. Returns ENOTFOUND if none.
	FindUser(ctx context.Context, id string) (*User, error)

	// FindUserByEmail returns a user by email. Returns ENOTFOUND if none.
	FindUserByEmail(ctx context.Context, email string) (*User, error)

	// AuthenticateUser returns the user with this email and password.
	// Returns EUNAUTHORIZED if either is wrong, without saying which.
	AuthenticateUser(ctx context.Context, email, password string) (*User, error)

	// SetPassword replaces a user's password. Returns EINVALID for a weak
	// password, ENOTFOUND for an unknown user.
	SetPassword(ctx context.Context, userID, password string) error

	// SetMembership gives a user a role in a workspace, adding the
	// membership if needed. Returns ENOTFOUND for an unknown user or
	// workspace, ECONFLICT if it would leave the workspace without an owner.
	SetMembership(ctx context.Context, workspace, userID string, role Role) (*Membership, error)

	// RemoveMembership takes a user out of a workspace. Returns ENOTFOUND
	// if they are not a member, ECONFLICT if they are its last owner.
	RemoveMembership(ctx context.Context, workspace, userID string) error

	// Memberships lists matching memberships ordered by workspace, then email.
	Memberships(ctx context.Context, f MembershipFilter) ([]*Membership, error)

	// CreateInvitation stores inv, assigning ID, CreatedAt and ExpiresAt,
	// and returns its token. Returns EINVALID for a bad email or role,
	// ENOTFOUND for an unknown workspace.
	CreateInvitation(ctx context.Context, inv *Invitation) (token string, err error)

	// FindInvitation returns the invitation with this token, pending or not.
	// Returns ENOTFOUND if no invitation has it.
	FindInvitation(ctx context.Context, token string) (*Invitation, error)

	// AcceptInvitation makes userID a member of the invitation's workspace
	// with its role, once. Returns ENOTFOUND for an unknown token,
	// ECONFLICT if it was used, revoked or has expired.
	AcceptInvitation(ctx context.Context, token, userID string) (*Membership, error)

	// Invitations lists a workspace's pending invitations, newest first.
	Invitations(ctx context.Context, workspace string) ([]*Invitation, error)

	// RevokeInvitation stops an invitation from being used. Returns
	// ENOTFOUND if it is not a pending invitation of the workspace.
	RevokeInvitation(ctx context.Context, workspace, id string) error
}
