package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/password"
)

// CreateUser stores u with an argon2id hash of password.
func (db *DB) CreateUser(ctx context.Context, u *touchpoint.User, pw string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if err := touchpoint.ValidatePassword("password", pw, u.Email); err != nil {
		return err
	}
	hash, err := password.Hash(pw, db.passwordParams)
	if err != nil {
		return err
	}
	u.ID = randomID("usr_", 20)
	u.CreatedAt = db.now()
	if _, err := db.db.ExecContext(ctx, db.query("user_create"), u.ID, u.Email, u.Name, hash, formatTime(u.CreatedAt)); err != nil {
		if isUniqueViolation(err) {
			return touchpoint.Errorf(touchpoint.ECONFLICT, "a user with email %s already exists", u.Email)
		}
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// FindUser returns a user by id.
func (db *DB) FindUser(ctx context.Context, id string) (*touchpoint.User, error) {
	u, _, err := db.scanUser(db.rdb.QueryRowContext(ctx, db.query("user_get"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "user %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// FindUserByEmail returns a user by email.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*touchpoint.User, error) {
	e, err := touchpoint.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	u, _, err := db.scanUser(db.rdb.QueryRowContext(ctx, db.query("user_get_by_email"), e))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "no user has email %s", e)
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// dummyHash is verified against when no user has the email, so that a
// login for an unknown address takes as long as one with a wrong password
// and response times do not tell which addresses have accounts.
var dummyHash = sync.OnceValue(func() string {
	h, _ := password.Hash("not a password of anyone", password.Default)
	return h
})

// AuthenticateUser checks an email and password.
func (db *DB) AuthenticateUser(ctx context.Context, email, pw string) (*touchpoint.User, error) {
	wrong := touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "wrong email or password")
	e, err := touchpoint.NormalizeEmail(email)
	if err != nil {
		return nil, wrong
	}
	u, hash, err := db.scanUser(db.rdb.QueryRowContext(ctx, db.query("user_get_by_email"), e))
	if errors.Is(err, sql.ErrNoRows) {
		password.Verify(pw, dummyHash())
		return nil, wrong
	} else if err != nil {
		return nil, fmt.Errorf("authenticate user: %w", err)
	}
	ok, err := password.Verify(pw, hash)
	if err != nil {
		return nil, fmt.Errorf("authenticate user %s: %w", u.ID, err)
	}
	if !ok {
		return nil, wrong
	}
	return u, nil
}

// SetPassword replaces a user's password hash.
func (db *DB) SetPassword(ctx context.Context, userID, pw string) error {
	u, err := db.FindUser(ctx, userID)
	if err != nil {
		return err
	}
	if err := touchpoint.ValidatePassword("password", pw, u.Email); err != nil {
		return err
	}
	hash, err := password.Hash(pw, db.passwordParams)
	if err != nil {
		return err
	}
	if _, err := db.db.ExecContext(ctx, db.query("user_set_password"), hash, userID); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

func (db *DB) scanUser(s scanner) (*touchpoint.User, string, error) {
	var u touchpoint.User
	var hash, created string
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &hash, &created); err != nil {
		return nil, "", err
	}
	var err error
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, "", err
	}
	return &u, hash, nil
}

// SetMembership gives a user a role in a workspace.
func (db *DB) SetMembership(ctx context.Context, workspace, userID string, role touchpoint.Role) (*touchpoint.Membership, error) {
	if _, err := touchpoint.ParseRole(string(role)); err != nil {
		return nil, err
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("set membership: %w", err)
	}
	defer tx.Rollback()
	if err := db.setMembership(ctx, tx, workspace, userID, role); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("set membership: %w", err)
	}
	return db.membershipTx(ctx, db.db, workspace, userID)
}

func (db *DB) setMembership(ctx context.Context, tx *sql.Tx, workspace, userID string, role touchpoint.Role) error {
	if _, err := db.FindWorkspace(ctx, workspace); err != nil {
		return err
	}
	if _, err := db.FindUser(ctx, userID); err != nil {
		return err
	}
	if role != touchpoint.RoleOwner {
		if err := db.keepAnOwner(ctx, tx, workspace, userID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, db.query("membership_upsert"), workspace, userID, string(role), formatTime(db.now())); err != nil {
		return fmt.Errorf("set membership: %w", err)
	}
	return nil
}

// keepAnOwner refuses a change to userID's membership that would leave a
// workspace that has owners without one. A workspace that never had an
// owner (made with an admin key) may stay so.
func (db *DB) keepAnOwner(ctx context.Context, tx *sql.Tx, workspace, userID string) error {
	var others int
	if err := tx.QueryRowContext(ctx, db.query("membership_owner_count"), workspace, userID).Scan(&others); err != nil {
		return fmt.Errorf("count owners: %w", err)
	}
	if others > 0 {
		return nil
	}
	var role sql.NullString
	ms, err := db.membershipsTx(ctx, tx, touchpoint.MembershipFilter{Workspace: &workspace, UserID: &userID})
	if err != nil {
		return err
	}
	if len(ms) == 1 {
		role = sql.NullString{String: string(ms[0].Role), Valid: true}
	}
	if role.String == string(touchpoint.RoleOwner) {
		return touchpoint.Errorf(touchpoint.ECONFLICT, "%s is the last owner of workspace %q: make someone else an owner first", ms[0].Email, workspace)
	}
	return nil
}

// RemoveMembership takes a user out of a workspace.
func (db *DB) RemoveMembership(ctx context.Context, workspace, userID string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remove membership: %w", err)
	}
	defer tx.Rollback()
	if err := db.keepAnOwner(ctx, tx, workspace, userID); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, db.query("membership_delete"), workspace, userID)
	if err != nil {
		return fmt.Errorf("remove membership: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "user %q is not a member of workspace %q", userID, workspace)
	}
	return tx.Commit()
}

// Memberships lists matching memberships.
func (db *DB) Memberships(ctx context.Context, f touchpoint.MembershipFilter) ([]*touchpoint.Membership, error) {
	return db.membershipsTx(ctx, db.rdb, f)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (db *DB) membershipsTx(ctx context.Context, q querier, f touchpoint.MembershipFilter) ([]*touchpoint.Membership, error) {
	rows, err := q.QueryContext(ctx, db.query("memberships_find"), sql.Named("workspace", f.Workspace), sql.Named("user_id", f.UserID))
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Membership{}
	for rows.Next() {
		var m touchpoint.Membership
		var role, created string
		if err := rows.Scan(&m.Workspace, &m.UserID, &m.Email, &m.Name, &role, &created); err != nil {
			return nil, fmt.Errorf("memberships: %w", err)
		}
		m.Role = touchpoint.Role(role)
		if m.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("memberships: %w", err)
		}
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	return out, nil
}

func (db *DB) membershipTx(ctx context.Context, q querier, workspace, userID string) (*touchpoint.Membership, error) {
	ms, err := db.membershipsTx(ctx, q, touchpoint.MembershipFilter{Workspace: &workspace, UserID: &userID})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "user %q is not a member of workspace %q", userID, workspace)
	}
	return ms[0], nil
}

// CreateInvitation stores an invitation and returns its token.
func (db *DB) CreateInvitation(ctx context.Context, inv *touchpoint.Invitation) (string, error) {
	email, err := touchpoint.NormalizeEmail(inv.Email)
	if err != nil {
		return "", err
	}
	if _, err := touchpoint.ParseRole(string(inv.Role)); err != nil {
		return "", err
	}
	if _, err := db.FindWorkspace(ctx, inv.Workspace); err != nil {
		return "", err
	}
	inv.Email = email
	inv.ID = randomID("inv_", 16)
	inv.CreatedAt = db.now()
	inv.ExpiresAt = inv.CreatedAt.Add(touchpoint.InvitationLifetime)
	inv.AcceptedAt, inv.RevokedAt = nil, nil
	token := randomID("tpi_", 40)
	if _, err := db.db.ExecContext(ctx, db.query("invitation_create"), inv.ID, inv.Workspace, inv.Email, string(inv.Role),
		hashSecret(token), inv.InvitedBy, formatTime(inv.CreatedAt), formatTime(inv.ExpiresAt)); err != nil {
		return "", fmt.Errorf("create invitation: %w", err)
	}
	return token, nil
}

// FindInvitation returns the invitation holding token.
func (db *DB) FindInvitation(ctx context.Context, token string) (*touchpoint.Invitation, error) {
	inv, err := scanInvitation(db.rdb.QueryRowContext(ctx, db.query("invitation_get_by_token"), hashSecret(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "this invitation link is not valid: check that it was copied whole")
	} else if err != nil {
		return nil, fmt.Errorf("find invitation: %w", err)
	}
	return inv, nil
}

// AcceptInvitation makes a user a member with the invitation's role.
func (db *DB) AcceptInvitation(ctx context.Context, token, userID string) (*touchpoint.Membership, error) {
	inv, err := db.FindInvitation(ctx, token)
	if err != nil {
		return nil, err
	}
	now := db.now()
	if err := invitationUsable(inv, now); err != nil {
		return nil, err
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("accept invitation: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, db.query("invitation_accept"), formatTime(now), userID, inv.ID, formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("accept invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "this invitation was used or withdrawn a moment ago")
	}
	// An invitation never lowers a role someone already has.
	role := inv.Role
	if cur, err := db.membershipTx(ctx, tx, inv.Workspace, userID); err == nil && cur.Role.Outranks(role) && cur.Role != role {
		role = cur.Role
	}
	if err := db.setMembership(ctx, tx, inv.Workspace, userID, role); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("accept invitation: %w", err)
	}
	return db.membershipTx(ctx, db.db, inv.Workspace, userID)
}

func invitationUsable(inv *touchpoint.Invitation, now time.Time) error {
	switch {
	case inv.AcceptedAt != nil:
		return touchpoint.Errorf(touchpoint.ECONFLICT, "this invitation was already used: sign in instead")
	case inv.RevokedAt != nil:
		return touchpoint.Errorf(touchpoint.ECONFLICT, "this invitation was withdrawn: ask for a new one")
	case !now.Before(inv.ExpiresAt):
		return touchpoint.Errorf(touchpoint.ECONFLICT, "this invitation expired on %s: ask for a new one", inv.ExpiresAt.Format("2 January 2006"))
	}
	return nil
}

// Invitations lists a workspace's pending invitations.
func (db *DB) Invitations(ctx context.Context, workspace string) ([]*touchpoint.Invitation, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("invitations_pending"), workspace, formatTime(db.now()))
	if err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Invitation{}
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("invitations: %w", err)
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// RevokeInvitation withdraws a pending invitation.
func (db *DB) RevokeInvitation(ctx context.Context, workspace, id string) error {
	res, err := db.db.ExecContext(ctx, db.query("invitation_revoke"), formatTime(db.now()), workspace, id)
	if err != nil {
		return fmt.Errorf("revoke invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "invitation %q is not pending in workspace %q", id, workspace)
	}
	return nil
}

func scanInvitation(s scanner) (*touchpoint.Invitation, error) {
	var inv touchpoint.Invitation
	var role, created, expires string
	var accepted, revoked sql.NullString
	if err := s.Scan(&inv.ID, &inv.Workspace, &inv.Email, &role, &inv.InvitedBy, &created, &expires, &accepted, &revoked); err != nil {
		return nil, err
	}
	inv.Role = touchpoint.Role(role)
	var err error
	if inv.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if inv.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	if inv.AcceptedAt, err = parseNullTime(accepted); err != nil {
		return nil, err
	}
	if inv.RevokedAt, err = parseNullTime(revoked); err != nil {
		return nil, err
	}
	return &inv, nil
}
