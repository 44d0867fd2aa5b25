package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// refreshSteps are the statements that bring the journey tables up to
// date, in order (see migrations/0004_journeys.sql).
var refreshSteps = []string{
	"journey_refresh_ids", "journey_refresh_profiles", "journey_refresh_number", "journey_refresh_events",
	"journey_refresh_activities", "journey_refresh_delete", "journey_refresh_delete_answers", "journey_refresh_insert",
	"journey_refresh_answers", "journey_refresh_variants", "journey_refresh_identity", "journey_refresh_identity_insert",
}

// RefreshJourneys brings the journey tables up to date with the events and
// identity_map, recomputing only the profiles whose events or identifiers
// changed since the last refresh. Every analytics query calls it first, so
// an answer always reflects the identity map as it is at that moment; the
// server also calls it in the background to keep queries quick.
//
// Whether anything changed is read from two checkpoints: the warehouse's
// (saved with every batch of events) and the identity feed's (saved with
// every change to identity_map, see ApplyIdentityMap). identity_map must
// therefore only ever be written through ApplyIdentityMap.
func (w *Warehouse) RefreshJourneys(ctx context.Context) error {
	w.jmu.Lock()
	defer w.jmu.Unlock()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("refresh journeys: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("refresh journeys: %w", err)
	}
	err = w.refreshJourneys(ctx, conn)
	if err == nil {
		_, err = conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("refresh journeys: %w", err)
	}
	return nil
}

func (w *Warehouse) refreshJourneys(ctx context.Context, conn *sql.Conn) error {
	var seq, idSeq, doneSeq, doneIDSeq uint64
	var built bool
	if err := conn.QueryRowContext(ctx, w.query("journey_fingerprint")).Scan(&seq, &idSeq, &built, &doneSeq, &doneIDSeq); err != nil {
		return err
	}
	if built && seq == doneSeq && idSeq == doneIDSeq {
		return nil
	}
	// The whole identity_map is compared with the copy the journeys saw
	// only when identity resolution changed something since, or on the
	// first build; otherwise only the identifiers of new events can have
	// moved.
	identity := !built || idSeq != doneIDSeq
	for _, step := range refreshSteps {
		var args []any
		if step == "journey_refresh_ids" {
			args = append(args, sql.Named("seq", doneSeq), sql.Named("identity", identity))
		}
		if _, err := conn.ExecContext(ctx, w.query(step), args...); err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
	}
	_, err := conn.ExecContext(ctx, w.query("journey_refresh_state"), sql.Named("seq", seq), sql.Named("identity_seq", idSeq))
	return err
}
