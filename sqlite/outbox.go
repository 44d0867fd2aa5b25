package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/journey"
)

func scanDelivery(s scanner) (*touchpoint.Delivery, error) {
	var d touchpoint.Delivery
	var next, created, updated, ctx string
	var sent sql.NullString
	if err := s.Scan(&d.ID, &d.Workspace, &d.Channel, &d.ProfileID, &d.UserID, &d.JourneyID, &d.Version, &d.NodeID, &d.EnrolmentID,
		&d.Status, &d.Attempts, &next, &d.LastError, &d.ProviderID, &d.Recipient, &ctx, &created, &updated, &sent); err != nil {
		return nil, err
	}
	var err error
	if d.NextAt, err = parseTime(next); err != nil {
		return nil, err
	}
	if d.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if d.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	if d.SentAt, err = parseNullTime(sent); err != nil {
		return nil, err
	}
	d.Context = json.RawMessage(ctx)
	return &d, nil
}

// DueDeliveries returns pending deliveries whose time has come.
func (db *DB) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]*touchpoint.Delivery, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("outbox_due"), formatTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	defer rows.Close()
	var out []*touchpoint.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("due deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// FindDeliveries lists deliveries, newest first.
func (db *DB) FindDeliveries(ctx context.Context, f touchpoint.DeliveryFilter) ([]*touchpoint.Delivery, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("outbox_find"), sql.Named("ws", f.Workspace), sql.Named("status", nullPtr(f.Status)),
		sql.Named("profile", nullPtr(f.ProfileID)), sql.Named("journey", nullPtr(f.JourneyID)), sql.Named("lim", f.Limit))
	if err != nil {
		return nil, fmt.Errorf("find deliveries: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("find deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// FindDelivery returns one delivery.
func (db *DB) FindDelivery(ctx context.Context, workspace, id string) (*touchpoint.Delivery, error) {
	d, err := scanDelivery(db.rdb.QueryRowContext(ctx, db.query("outbox_get"), workspace, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "message %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find delivery: %w", err)
	}
	return d, nil
}

// RetryDelivery puts a dead or skipped delivery back in line.
func (db *DB) RetryDelivery(ctx context.Context, workspace, id string) (*touchpoint.Delivery, error) {
	d, err := db.FindDelivery(ctx, workspace, id)
	if err != nil {
		return nil, err
	}
	if d.Status != touchpoint.DeliveryDead && d.Status != touchpoint.DeliverySkipped {
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "message %q is %s; only dead or skipped messages can be retried", id, d.Status)
	}
	now := db.now()
	d.Status, d.Attempts, d.NextAt, d.UpdatedAt = touchpoint.DeliveryPending, 0, now, now
	if err := db.updateDelivery(ctx, db.db, d); err != nil {
		return nil, err
	}
	return d, nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (db *DB) updateDelivery(ctx context.Context, x execer, d *touchpoint.Delivery) error {
	_, err := x.ExecContext(ctx, db.query("outbox_update"), d.Status, d.Attempts, formatTime(d.NextAt), d.LastError, d.ProviderID, d.Recipient,
		formatTime(d.UpdatedAt), nullTime(d.SentAt), d.ID)
	if err != nil {
		return fmt.Errorf("update delivery: %w", err)
	}
	return nil
}

// ReclaimSending puts deliveries a crash left in sending back to pending.
func (db *DB) ReclaimSending(ctx context.Context, now time.Time) (int, error) {
	res, err := db.db.ExecContext(ctx, db.query("outbox_reclaim"), formatTime(now), formatTime(now))
	if err != nil {
		return 0, fmt.Errorf("reclaim deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ClaimDelivery marks a delivery sending, applying the contact budget.
func (db *DB) ClaimDelivery(ctx context.Context, d *touchpoint.Delivery, b journey.BudgetCheck) (bool, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("claim delivery: %w", err)
	}
	defer tx.Rollback()
	if b.Count && b.Max > 0 {
		var n int
		if err := tx.QueryRowContext(ctx, db.query("contact_count"), d.Workspace, d.ProfileID, formatTime(b.Since)).Scan(&n); err != nil {
			return false, fmt.Errorf("claim delivery: %w", err)
		}
		if n >= b.Max {
			return false, nil
		}
	}
	res, err := tx.ExecContext(ctx, db.query("outbox_claim"), d.Recipient, formatTime(b.Now), d.ID)
	if err != nil {
		return false, fmt.Errorf("claim delivery: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, touchpoint.Errorf(touchpoint.ECONFLICT, "delivery %s is no longer pending", d.ID)
	}
	if b.Count {
		if _, err := tx.ExecContext(ctx, db.query("contact_delete"), d.ID); err != nil {
			return false, fmt.Errorf("claim delivery: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.query("contact_insert"), d.Workspace, d.ProfileID, formatTime(b.Now), d.Channel, d.ID); err != nil {
			return false, fmt.Errorf("claim delivery: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("claim delivery: %w", err)
	}
	d.Status = touchpoint.DeliverySending
	d.Attempts++
	return true, nil
}

// FinishDelivery stores a delivery's outcome and its counter.
func (db *DB) FinishDelivery(ctx context.Context, d *touchpoint.Delivery, metric string, uncount bool) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("finish delivery: %w", err)
	}
	defer tx.Rollback()
	if err := db.updateDelivery(ctx, tx, d); err != nil {
		return err
	}
	if uncount {
		if _, err := tx.ExecContext(ctx, db.query("contact_delete"), d.ID); err != nil {
			return fmt.Errorf("finish delivery: %w", err)
		}
	}
	if metric != "" {
		if _, err := tx.ExecContext(ctx, db.query("journey_counts_add"), d.Workspace, d.JourneyID, d.Version, d.NodeID, metric, 1); err != nil {
			return fmt.Errorf("finish delivery: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("finish delivery: %w", err)
	}
	return nil
}

// PutInApp stores an in-app message once.
func (db *DB) PutInApp(ctx context.Context, workspace, profileID string, m *touchpoint.InAppMessage, expires time.Time) error {
	_, err := db.db.ExecContext(ctx, db.query("inapp_insert"), m.ID, workspace, profileID, m.Title, m.Body, m.URL, formatTime(m.CreatedAt), formatTime(expires))
	if err != nil {
		return fmt.Errorf("put in-app message: %w", err)
	}
	return nil
}

// PendingInApp returns unseen messages and marks them delivered.
func (db *DB) PendingInApp(ctx context.Context, workspace string, profileIDs []string, now time.Time) ([]*touchpoint.InAppMessage, []string, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("in-app messages: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, expandRows(db.query("inapp_pending"), len(profileIDs), 1), append([]any{workspace, formatTime(now)}, anys(profileIDs)...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("in-app messages: %w", err)
	}
	out := []*touchpoint.InAppMessage{}
	var fresh []string
	for rows.Next() {
		var m touchpoint.InAppMessage
		var created string
		var first bool
		if err := rows.Scan(&m.ID, &m.Title, &m.Body, &m.URL, &created, &first); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("in-app messages: %w", err)
		}
		if m.CreatedAt, err = parseTime(created); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if first {
			fresh = append(fresh, m.ID)
		}
		out = append(out, &m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, id := range fresh {
		if _, err := tx.ExecContext(ctx, db.query("inapp_delivered"), formatTime(now), id); err != nil {
			return nil, nil, fmt.Errorf("in-app messages: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fmt.Errorf("in-app messages: %w", err)
	}
	return out, fresh, nil
}

// SeenInApp marks a message seen.
func (db *DB) SeenInApp(ctx context.Context, workspace string, profileIDs []string, id string, now time.Time) (bool, error) {
	res, err := db.db.ExecContext(ctx, expandRows(db.query("inapp_seen"), len(profileIDs), 1), append([]any{formatTime(now), formatTime(now), workspace, id}, anys(profileIDs)...)...)
	if err != nil {
		return false, fmt.Errorf("in-app seen: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MessagingSettings returns a workspace's messaging settings.
func (db *DB) MessagingSettings(ctx context.Context, workspace string) (touchpoint.MessagingSettings, error) {
	var raw string
	err := db.rdb.QueryRowContext(ctx, db.query("messaging_settings_get"), workspace).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return touchpoint.DefaultMessagingSettings(), nil
	} else if err != nil {
		return touchpoint.MessagingSettings{}, fmt.Errorf("messaging settings: %w", err)
	}
	var s touchpoint.MessagingSettings
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("messaging settings: %w", err)
	}
	return s, nil
}

// SetMessagingSettings replaces a workspace's messaging settings.
func (db *DB) SetMessagingSettings(ctx context.Context, workspace string, s touchpoint.MessagingSettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.AllowedHosts == nil {
		s.AllowedHosts = []string{}
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if _, err := db.db.ExecContext(ctx, db.query("messaging_settings_set"), workspace, string(b), formatTime(db.now())); err != nil {
		return fmt.Errorf("set messaging settings: %w", err)
	}
	return nil
}

// MessagingSecret returns the workspace's signing secret, made on first use.
func (db *DB) MessagingSecret(ctx context.Context, workspace string) ([]byte, error) {
	var s string
	err := db.rdb.QueryRowContext(ctx, db.query("messaging_secret_get"), workspace).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		rand.Read(b)
		if _, err := db.db.ExecContext(ctx, db.query("messaging_secret_insert"), workspace, hex.EncodeToString(b), formatTime(db.now())); err != nil {
			return nil, fmt.Errorf("messaging secret: %w", err)
		}
		// Another writer may have won the race: read what is stored.
		err = db.db.QueryRowContext(ctx, db.query("messaging_secret_get"), workspace).Scan(&s)
	}
	if err != nil {
		return nil, fmt.Errorf("messaging secret: %w", err)
	}
	return hex.DecodeString(s)
}
