package sqlite

import (
	"context"
	"fmt"

	"github.com/touchpoint-cx/touchpoint"
)

// Consents returns a profile's consent answers.
func (db *DB) Consents(ctx context.Context, workspace, profileID string) ([]*touchpoint.Consent, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("consent_get"), workspace, profileID)
	if err != nil {
		return nil, fmt.Errorf("consents: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Consent{}
	for rows.Next() {
		var c touchpoint.Consent
		var at string
		if err := rows.Scan(&c.Workspace, &c.ProfileID, &c.Channel, &c.Status, &c.Source, &at, &c.UpdatedBy); err != nil {
			return nil, fmt.Errorf("consents: %w", err)
		}
		if c.UpdatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, &c)
	}
	return out, rows.Err()
}

// SetConsent records an answer; the same answer again changes nothing.
func (db *DB) SetConsent(ctx context.Context, c *touchpoint.Consent) (bool, error) {
	if err := c.Validate(); err != nil {
		return false, err
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = db.now()
	}
	res, err := db.db.ExecContext(ctx, db.query("consent_upsert"), c.Workspace, c.ProfileID, c.Channel, c.Status, c.Source, formatTime(c.UpdatedAt), c.UpdatedBy)
	if err != nil {
		return false, fmt.Errorf("set consent: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Suppressions lists the workspace's suppressed addresses.
func (db *DB) Suppressions(ctx context.Context, workspace string) ([]*touchpoint.Suppression, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("suppression_list"), workspace)
	if err != nil {
		return nil, fmt.Errorf("suppressions: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Suppression{}
	for rows.Next() {
		var s touchpoint.Suppression
		var at string
		if err := rows.Scan(&s.Workspace, &s.Kind, &s.Value, &s.Reason, &at); err != nil {
			return nil, fmt.Errorf("suppressions: %w", err)
		}
		if s.CreatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, &s)
	}
	return out, rows.Err()
}

// AddSuppression suppresses an address.
func (db *DB) AddSuppression(ctx context.Context, s *touchpoint.Suppression) error {
	if err := s.Normalize(); err != nil {
		return err
	}
	s.CreatedAt = db.now()
	if _, err := db.db.ExecContext(ctx, db.query("suppression_insert"), s.Workspace, s.Kind, s.Value, s.Reason, formatTime(s.CreatedAt)); err != nil {
		return fmt.Errorf("add suppression: %w", err)
	}
	return nil
}

// RemoveSuppression lifts a suppression.
func (db *DB) RemoveSuppression(ctx context.Context, workspace, kind, value string) error {
	s := touchpoint.Suppression{Kind: kind, Value: value}
	if err := s.Normalize(); err != nil {
		return err
	}
	res, err := db.db.ExecContext(ctx, db.query("suppression_delete"), workspace, s.Kind, s.Value)
	if err != nil {
		return fmt.Errorf("remove suppression: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "%s %s is not suppressed", kind, s.Value)
	}
	return nil
}

// IsSuppressed reports whether an address is suppressed.
func (db *DB) IsSuppressed(ctx context.Context, workspace, kind, value string) (bool, error) {
	var n int
	if err := db.rdb.QueryRowContext(ctx, db.query("suppression_exists"), workspace, kind, value).Scan(&n); err != nil {
		return false, fmt.Errorf("suppressed: %w", err)
	}
	return n > 0, nil
}
