package duckdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/touchpoint-cx/touchpoint/identity"
)

// IdentityMapConsumer is the name under which the warehouse checkpoints the
// identity changes it has applied.
const IdentityMapConsumer = "identity_map"

// IdentityMapCheckpoint is the last identity change applied (0 if none).
func (w *Warehouse) IdentityMapCheckpoint(ctx context.Context) (uint64, error) {
	var seq uint64
	if err := w.db.QueryRowContext(ctx, w.query("checkpoint"), IdentityMapConsumer).Scan(&seq); err != nil {
		return 0, fmt.Errorf("identity map checkpoint: %w", err)
	}
	return seq, nil
}

// ApplyIdentityMap applies a batch of identity changes and its checkpoint in
// one transaction. Rows are staged with the appender and applied with one
// statement per kind of change, never one statement per row.
func (w *Warehouse) ApplyIdentityMap(ctx context.Context, b identity.MapBatch) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.wconn == nil {
		return errors.New("apply identity map: warehouse closed")
	}
	for _, q := range []string{"identity_stage_create", "identity_stage_clear"} {
		if _, err := w.wconn.ExecContext(ctx, w.query(q)); err != nil {
			return fmt.Errorf("apply identity map: %w", err)
		}
	}
	if _, err := w.wconn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("apply identity map: %w", err)
	}
	err := w.applyIdentityMap(ctx, b)
	if err == nil {
		_, err = w.wconn.ExecContext(ctx, w.query("save_checkpoint"), IdentityMapConsumer, b.LastSeq)
	}
	if err == nil {
		_, err = w.wconn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		if _, rerr := w.wconn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("apply identity map: %w", err)
	}
	return nil
}

func (w *Warehouse) applyIdentityMap(ctx context.Context, b identity.MapBatch) error {
	now := time.Now().UTC()
	err := w.wconn.Raw(func(dc any) error {
		conn := dc.(driver.Conn)
		if len(b.Identifiers) > 0 {
			a, err := duckdb.NewAppender(conn, "temp", "main", "identity_stage_ids")
			if err != nil {
				return err
			}
			for _, e := range b.Identifiers {
				if err := a.AppendRow(e.Workspace, e.Kind, e.Value, e.Row, e.Profile); err != nil {
					a.Close()
					return err
				}
			}
			if err := a.Close(); err != nil {
				return err
			}
		}
		if len(b.Rows) > 0 {
			a, err := duckdb.NewAppender(conn, "temp", "main", "identity_stage_rows")
			if err != nil {
				return err
			}
			for _, r := range b.Rows {
				if err := a.AppendRow(r.Workspace, r.Row, r.Profile); err != nil {
					a.Close()
					return err
				}
			}
			if err := a.Close(); err != nil {
				return err
			}
		}
		if len(b.Traits) > 0 {
			a, err := duckdb.NewAppender(conn, "temp", "main", "identity_stage_traits")
			if err != nil {
				return err
			}
			for _, t := range b.Traits {
				// Raw JSON, not a Go string, which the appender would store
				// as a JSON string wrapping the object, out of reach of the
				// JSON functions segments and breakdowns use.
				var traits any
				if !t.Deleted && len(t.Traits) > 0 {
					traits = t.Traits
				}
				if err := a.AppendRow(t.Workspace, t.Profile, traits, t.Deleted, now); err != nil {
					a.Close()
					return err
				}
			}
			if err := a.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("stage identity changes: %w", err)
	}
	for _, q := range []string{"identity_map_upsert", "identity_map_move_rows", "profile_traits_delete", "profile_traits_upsert"} {
		if _, err := w.wconn.ExecContext(ctx, w.query(q)); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
