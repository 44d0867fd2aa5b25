package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/touchpoint-cx/touchpoint"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

// ConsumerName is the warehouse's name as a log consumer.
const ConsumerName = "warehouse"

// Checkpoint returns the last log sequence the warehouse applied (0 if none).
func (w *Warehouse) Checkpoint(ctx context.Context) (uint64, error) {
	var seq uint64
	if err := w.db.QueryRowContext(ctx, w.query("checkpoint"), ConsumerName).Scan(&seq); err != nil {
		return 0, fmt.Errorf("read checkpoint: %w", err)
	}
	return seq, nil
}

// Apply appends a batch of events and records b.LastSequence, in one
// transaction. Events already stored (same workspace and messageId) are
// skipped. It is the warehouse's log handler.
func (w *Warehouse) Apply(ctx context.Context, b tplog.Batch) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.wconn == nil {
		return errors.New("apply events: warehouse closed")
	}
	if _, err := w.wconn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("apply events: %w", err)
	}
	err := w.appendEvents(ctx, b)
	if err == nil && w.afterAppend != nil {
		err = w.afterAppend()
	}
	if err == nil {
		_, err = w.wconn.ExecContext(ctx, w.query("save_checkpoint"), ConsumerName, b.LastSequence)
	}
	if err == nil {
		_, err = w.wconn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		if _, rerr := w.wconn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("apply events: %w", err)
	}
	return nil
}

func (w *Warehouse) appendEvents(ctx context.Context, b tplog.Batch) error {
	if len(b.Events) == 0 {
		return nil
	}
	// INSERT OR IGNORE guards against keys already stored; keys repeated
	// inside one batch are dropped here.
	seen := make(map[duckdb.UUID]struct{}, len(b.Events))
	return w.wconn.Raw(func(dc any) error {
		a, err := duckdb.NewTableAppender(dc.(driver.Conn), w.query("insert_events"), "", "", "events", nil)
		if err != nil {
			return err
		}
		for i := range b.Events {
			ev := &b.Events[i]
			key := EventKey(ev.Workspace, ev.ID)
			if _, dup := seen[key]; dup {
				continue
			}
			seen[key] = struct{}{}
			if err := a.AppendRow(
				key, ev.Workspace, ev.ID, b.LastSequence, string(ev.Type),
				str(ev.Event), str(ev.Name), str(ev.Category),
				str(ev.UserID), str(ev.AnonymousID), str(ev.GroupID), str(ev.PreviousID),
				str(ev.SourceID), str(ev.Channel),
				ev.Timestamp, tm(ev.OriginalTimestamp), tm(ev.SentAt), ev.ReceivedAt,
				js(ev.Properties), js(ev.Traits), js(ev.Context), js(ev.Integrations),
			); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
}

// EventKey is the stored key of an event: a 128-bit FNV-1a hash of its
// workspace and messageId.
func EventKey(workspace, messageID string) duckdb.UUID {
	h := fnv.New128a()
	h.Write([]byte(workspace))
	h.Write([]byte{0})
	h.Write([]byte(messageID))
	var k duckdb.UUID
	copy(k[:], h.Sum(nil))
	return k
}

// FindEvents returns matching events newest first.
func (w *Warehouse) FindEvents(ctx context.Context, f touchpoint.EventFilter) ([]*touchpoint.Event, error) {
	limit := f.Limit
	if limit == 0 {
		limit = touchpoint.DefaultEventLimit
	}
	if limit < 0 || limit > touchpoint.MaxEventLimit {
		return nil, touchpoint.FieldError("limit", "must be between 1 and %d", touchpoint.MaxEventLimit)
	}
	var typ *string
	if f.Type != nil {
		s := string(*f.Type)
		typ = &s
	}
	rows, err := w.db.QueryContext(ctx, w.query("find_events"),
		sql.Named("workspace", f.Workspace), sql.Named("user_id", f.UserID), sql.Named("anonymous_id", f.AnonymousID),
		sql.Named("type", typ), sql.Named("event", f.Event), sql.Named("limit", limit))
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	return scanEvents(rows)
}

// scanEvents reads rows of the events columns in the order find_events
// selects them.
func scanEvents(rows *sql.Rows) ([]*touchpoint.Event, error) {
	defer rows.Close()
	var out []*touchpoint.Event
	for rows.Next() {
		var ev touchpoint.Event
		var typ string
		var event, name, category, uid, aid, gid, pid, src, ch, props, traits, ctxt, integ sql.NullString
		var ots, sent sql.NullTime
		if err := rows.Scan(&ev.Workspace, &ev.ID, &typ, &event, &name, &category, &uid, &aid, &gid, &pid, &src, &ch,
			&ev.Timestamp, &ots, &sent, &ev.ReceivedAt, &props, &traits, &ctxt, &integ); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		ev.Type = touchpoint.EventType(typ)
		ev.Event, ev.Name, ev.Category = event.String, name.String, category.String
		ev.UserID, ev.AnonymousID, ev.GroupID, ev.PreviousID = uid.String, aid.String, gid.String, pid.String
		ev.SourceID, ev.Channel = src.String, ch.String
		ev.Timestamp, ev.ReceivedAt = ev.Timestamp.UTC(), ev.ReceivedAt.UTC()
		if ots.Valid {
			ev.OriginalTimestamp = ots.Time.UTC()
		}
		if sent.Valid {
			ev.SentAt = sent.Time.UTC()
		}
		ev.Properties, ev.Traits, ev.Context, ev.Integrations = raw(props), raw(traits), raw(ctxt), raw(integ)
		out = append(out, &ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// Timeline returns the events of the given user and anonymous ids, oldest
// first.
func (w *Warehouse) Timeline(ctx context.Context, f touchpoint.TimelineFilter) ([]*touchpoint.Event, error) {
	if f.Limit <= 0 || f.Limit > touchpoint.MaxEventLimit {
		return nil, touchpoint.FieldError("limit", "must be between 1 and %d", touchpoint.MaxEventLimit)
	}
	users, anons := f.UserIDs, f.AnonymousIDs
	if users == nil {
		users = []string{}
	}
	if anons == nil {
		anons = []string{}
	}
	rows, err := w.db.QueryContext(ctx, w.query("timeline"), sql.Named("workspace", f.Workspace),
		sql.Named("user_ids", users), sql.Named("anonymous_ids", anons), sql.Named("since", f.Since), sql.Named("limit", f.Limit))
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return scanEvents(rows)
}

// Stats returns the event and profile totals of a workspace and the log
// sequence they reflect. The log's own head is filled in by the caller.
func (w *Warehouse) Stats(ctx context.Context, workspace string) (touchpoint.Stats, error) {
	var s touchpoint.Stats
	err := w.db.QueryRowContext(ctx, w.query("stats"), sql.Named("workspace", workspace), sql.Named("consumer", ConsumerName)).
		Scan(&s.EventsTotal, &s.ProfilesTotal, &s.Pipeline.AnalyticsSequence, &s.Pipeline.IdentityMapSequence)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	return s, nil
}

func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func tm(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// js hands a JSON column to the appender as raw JSON: a Go string would be
// stored as a JSON string wrapping the object, out of reach of JSON functions.
func js(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func raw(s sql.NullString) json.RawMessage {
	if !s.Valid || s.String == "" {
		return nil
	}
	return json.RawMessage(s.String)
}

// TotalEvents counts the events of every workspace.
func (w *Warehouse) TotalEvents(ctx context.Context) (touchpoint.Stats, error) {
	var s touchpoint.Stats
	if err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&s.EventsTotal); err != nil {
		return s, fmt.Errorf("count events: %w", err)
	}
	return s, nil
}
