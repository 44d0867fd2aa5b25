package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/segment"
)

// CreateDestination stores a segment's webhook destination.
func (db *DB) CreateDestination(ctx context.Context, d *touchpoint.Destination) error {
	if err := d.Validate(); err != nil {
		return err
	}
	now := db.now()
	d.ID, d.CreatedAt = sortableID("dst_", now), now
	if _, err := db.db.ExecContext(ctx, db.query("destination_insert"), sql.Named("workspace", d.Workspace), sql.Named("id", d.ID),
		sql.Named("segment", d.SegmentID), sql.Named("name", d.Name), sql.Named("url", d.URL), sql.Named("secret", d.Secret),
		sql.Named("at", formatTime(now))); err != nil {
		return fmt.Errorf("create destination: %w", err)
	}
	return nil
}

// Destinations lists a segment's destinations with their delivery counts;
// secrets are left out.
func (db *DB) Destinations(ctx context.Context, workspace, segmentID string) ([]*touchpoint.Destination, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("destination_list"), sql.Named("workspace", workspace), sql.Named("segment", segmentID))
	if err != nil {
		return nil, fmt.Errorf("destinations: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Destination{}
	for rows.Next() {
		d := &touchpoint.Destination{Workspace: workspace}
		var created string
		var lastErr, lastAt sql.NullString
		if err := rows.Scan(&d.ID, &d.SegmentID, &d.Name, &d.URL, &created, &d.Pending, &d.Delivered, &d.Failed, &lastErr, &lastAt); err != nil {
			return nil, fmt.Errorf("destinations: %w", err)
		}
		if d.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		d.LastError = lastErr.String
		if d.LastAt, err = parseNullTime(lastAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// FindDestination returns one destination, with its secret.
func (db *DB) FindDestination(ctx context.Context, workspace, segmentID, id string) (*touchpoint.Destination, error) {
	var n int
	if err := db.rdb.QueryRowContext(ctx, db.query("destination_exists"), sql.Named("workspace", workspace), sql.Named("segment", segmentID),
		sql.Named("id", id)).Scan(&n); err != nil {
		return nil, fmt.Errorf("find destination: %w", err)
	}
	if n == 0 {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "destination %q not found", id)
	}
	return &touchpoint.Destination{ID: id, Workspace: workspace, SegmentID: segmentID}, nil
}

// DeleteDestination removes a destination and its deliveries.
func (db *DB) DeleteDestination(ctx context.Context, workspace, segmentID, id string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete destination: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, db.query("destination_delete"), sql.Named("workspace", workspace), sql.Named("segment", segmentID), sql.Named("id", id))
	if err != nil {
		return fmt.Errorf("delete destination: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "destination %q not found", id)
	}
	if _, err := tx.ExecContext(ctx, db.query("destination_deliveries_delete"), sql.Named("workspace", workspace), sql.Named("id", id)); err != nil {
		return fmt.Errorf("delete destination: %w", err)
	}
	return tx.Commit()
}

// EnqueueDelivery queues a body for one destination.
func (db *DB) EnqueueDelivery(ctx context.Context, workspace, destinationID string, body []byte) error {
	if _, err := db.db.ExecContext(ctx, db.query("destination_enqueue"), sql.Named("workspace", workspace), sql.Named("id", destinationID),
		sql.Named("body", string(body)), sql.Named("at", formatTime(db.now()))); err != nil {
		return fmt.Errorf("enqueue delivery: %w", err)
	}
	return nil
}

// DueDestinationDeliveries returns pending deliveries due at now, oldest first.
func (db *DB) DueDestinationDeliveries(ctx context.Context, now time.Time, limit int) ([]segment.DueDelivery, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("deliveries_due"), sql.Named("now", formatTime(now)), sql.Named("limit", limit))
	if err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	defer rows.Close()
	var out []segment.DueDelivery
	for rows.Next() {
		var d segment.DueDelivery
		var body string
		if err := rows.Scan(&d.ID, &d.Workspace, &d.Destination, &body, &d.Attempts, &d.URL, &d.Secret); err != nil {
			return nil, fmt.Errorf("due deliveries: %w", err)
		}
		d.Body = []byte(body)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeliveryDone marks a delivery delivered.
func (db *DB) DeliveryDone(ctx context.Context, id int64, at time.Time) error {
	return db.execDelivery(ctx, "delivery_done", sql.Named("id", id), sql.Named("at", formatTime(at)))
}

// DeliveryRetry counts a failed attempt and schedules the next.
func (db *DB) DeliveryRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	return db.execDelivery(ctx, "delivery_retry", sql.Named("id", id), sql.Named("next", formatTime(next)), sql.Named("error", reason))
}

// DeliveryFailed gives a delivery up.
func (db *DB) DeliveryFailed(ctx context.Context, id int64, at time.Time, reason string) error {
	return db.execDelivery(ctx, "delivery_failed", sql.Named("id", id), sql.Named("at", formatTime(at)), sql.Named("error", reason))
}

func (db *DB) execDelivery(ctx context.Context, q string, args ...any) error {
	if _, err := db.db.ExecContext(ctx, db.query(q), args...); err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	return nil
}
