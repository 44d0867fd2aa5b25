package touchpoint

import (
	"context"
	"time"
)

// Session is a signed-in browser. The browser holds a random token in a
// cookie; only a hash of it is stored. A session acts in one workspace at a
// time, which the workspace switcher changes.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Workspace string    `json:"workspace"`
	CSRFToken string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`

	// User and Role are filled in by AuthenticateSession: who the session
	// belongs to and their role in Workspace ("" if they are no longer a
	// member of it).
	User *User `json:"-"`
	Role Role  `json:"-"`
}

// Session lifetimes: a session ends after SessionIdleTimeout without use,
// and after SessionMaxAge in any case.
const (
	SessionIdleTimeout = 3 * 24 * time.Hour
	SessionMaxAge      = 30 * 24 * time.Hour
)

// SessionService keeps dashboard sessions.
type SessionService interface {
	// CreateSession stores s for s.UserID acting in s.Workspace, assigning
	// ID, CSRFToken and times, and returns the token for the cookie.
	// Returns ENOTFOUND for an unknown user.
	CreateSession(ctx context.Context, s *Session) (token string, err error)

	// AuthenticateSession returns the live session holding token, with its
	// user and role, and records the use. Returns EUNAUTHORIZED if the token
	// is unknown or the session has expired.
	AuthenticateSession(ctx context.Context, token string) (*Session, error)

	// SetSessionWorkspace moves a session to another workspace.
	// Returns ENOTFOUND if there is no such session.
	SetSessionWorkspace(ctx context.Context, sessionID, workspace string) error

	// DeleteSession ends a session. Ending an ended session is harmless.
	DeleteSession(ctx context.Context, sessionID string) error

	// DeleteUserSessions ends every session of a user but keep (which may be "").
	DeleteUserSessions(ctx context.Context, userID, keep string) error
}
