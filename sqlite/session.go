package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// sessionTouchEvery limits how often a session's last use is written: a
// dashboard makes many requests a minute, and idle expiry is counted in days.
const sessionTouchEvery = 5 * time.Minute

// CreateSession stores a new session and returns its token.
func (db *DB) CreateSession(ctx context.Context, s *touchpoint.Session) (string, error) {
	if _, err := db.FindUser(ctx, s.UserID); err != nil {
		return "", err
	}
	if _, err := db.FindWorkspace(ctx, s.Workspace); err != nil {
		return "", err
	}
	now := db.now()
	// Sign-ins are rare: a good moment to forget sessions that ended.
	if _, err := db.db.ExecContext(ctx, db.query("sessions_delete_expired"), formatTime(now), formatTime(now.Add(-touchpoint.SessionIdleTimeout))); err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	token := randomID("tps_", 43)
	s.ID = randomID("ses_", 16)
	s.CSRFToken = randomID("", 43)
	s.CreatedAt, s.LastSeen, s.ExpiresAt = now, now, now.Add(touchpoint.SessionMaxAge)
	if _, err := db.db.ExecContext(ctx, db.query("session_create"), s.ID, hashSecret(token), s.UserID, s.Workspace, s.CSRFToken,
		formatTime(s.CreatedAt), formatTime(s.LastSeen), formatTime(s.ExpiresAt)); err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return token, nil
}

// AuthenticateSession returns the live session holding token.
func (db *DB) AuthenticateSession(ctx context.Context, token string) (*touchpoint.Session, error) {
	var s touchpoint.Session
	var u touchpoint.User
	var created, seen, expires, userCreated string
	var role sql.NullString
	err := db.rdb.QueryRowContext(ctx, db.query("session_authenticate"), hashSecret(token)).Scan(
		&s.ID, &s.UserID, &s.Workspace, &s.CSRFToken, &created, &seen, &expires, &u.Email, &u.Name, &userCreated, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "your session has ended: sign in again")
	} else if err != nil {
		return nil, fmt.Errorf("authenticate session: %w", err)
	}
	for _, p := range []struct {
		dst *time.Time
		s   string
	}{{&s.CreatedAt, created}, {&s.LastSeen, seen}, {&s.ExpiresAt, expires}, {&u.CreatedAt, userCreated}} {
		if *p.dst, err = parseTime(p.s); err != nil {
			return nil, fmt.Errorf("authenticate session: %w", err)
		}
	}
	now := db.now()
	if !now.Before(s.ExpiresAt) || !now.Before(s.LastSeen.Add(touchpoint.SessionIdleTimeout)) {
		return nil, touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "your session has ended: sign in again")
	}
	if now.Sub(s.LastSeen) >= sessionTouchEvery {
		if _, err := db.db.ExecContext(ctx, db.query("session_touch"), formatTime(now), s.ID); err != nil {
			return nil, fmt.Errorf("authenticate session: %w", err)
		}
		s.LastSeen = now
	}
	u.ID = s.UserID
	s.User = &u
	s.Role = touchpoint.Role(role.String)
	return &s, nil
}

// SetSessionWorkspace moves a session to another workspace.
func (db *DB) SetSessionWorkspace(ctx context.Context, sessionID, workspace string) error {
	res, err := db.db.ExecContext(ctx, db.query("session_set_workspace"), workspace, sessionID)
	if err != nil {
		return fmt.Errorf("switch workspace: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "session not found")
	}
	return nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, sessionID string) error {
	if _, err := db.db.ExecContext(ctx, db.query("session_delete"), sessionID); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user but keep.
func (db *DB) DeleteUserSessions(ctx context.Context, userID, keep string) error {
	if _, err := db.db.ExecContext(ctx, db.query("sessions_delete_user"), userID, keep); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}
