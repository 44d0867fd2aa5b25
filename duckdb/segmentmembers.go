package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/touchpoint-cx/touchpoint/segment"
)

// Checkpoints of the segment_members copy: the segments engine's pass
// number it reflects, and the persona discovery run.
const (
	SegmentMembersConsumer = "segment_members"
	PersonaMembersConsumer = "persona_members"
)

// SegmentMembersCheckpoint is the segments engine's last pass applied to
// segment_members (0 if none).
func (w *Warehouse) SegmentMembersCheckpoint(ctx context.Context) (uint64, error) {
	var seq uint64
	if err := w.db.QueryRowContext(ctx, w.query("checkpoint"), SegmentMembersConsumer).Scan(&seq); err != nil {
		return 0, fmt.Errorf("segment members checkpoint: %w", err)
	}
	return seq, nil
}

// PersonaMembersCheckpoint is the persona run whose members
// segment_members holds (0 if none).
func (w *Warehouse) PersonaMembersCheckpoint(ctx context.Context) (uint64, error) {
	var seq uint64
	if err := w.db.QueryRowContext(ctx, w.query("checkpoint"), PersonaMembersConsumer).Scan(&seq); err != nil {
		return 0, fmt.Errorf("persona members checkpoint: %w", err)
	}
	return seq, nil
}

// ApplySegmentMembers applies a pass's membership changes and its number,
// in one transaction.
func (w *Warehouse) ApplySegmentMembers(ctx context.Context, changes []segment.MemberChange, pass uint64) error {
	return w.writeMembers(ctx, SegmentMembersConsumer, pass, []string{"segment_members_remove", "segment_members_add"}, func(a *duckdb.Appender) error {
		for _, c := range changes {
			if err := a.AppendRow(c.Workspace, c.SegmentID, c.ProfileID, c.In); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReplaceSegmentMembers replaces the members of every segment (not the
// personas) with those all yields, and records pass: the copy is rebuilt
// from the state store when it fell behind.
func (w *Warehouse) ReplaceSegmentMembers(ctx context.Context, all func(yield func(segment.MemberChange) error) error, pass uint64) error {
	return w.writeMembers(ctx, SegmentMembersConsumer, pass, []string{"segment_members_clear", "segment_members_add"}, func(a *duckdb.Appender) error {
		return all(func(c segment.MemberChange) error { return a.AppendRow(c.Workspace, c.SegmentID, c.ProfileID, true) })
	})
}

// ReplacePersonaMembers replaces every discovered persona's members with
// those all yields, and records the run.
func (w *Warehouse) ReplacePersonaMembers(ctx context.Context, all func(yield func(segment.MemberChange) error) error, run uint64) error {
	return w.writeMembers(ctx, PersonaMembersConsumer, run, []string{"persona_members_clear", "segment_members_add"}, func(a *duckdb.Appender) error {
		return all(func(c segment.MemberChange) error { return a.AppendRow(c.Workspace, c.SegmentID, c.ProfileID, true) })
	})
}

// writeMembers stages rows with the appender and applies them with the
// named statements, with a checkpoint, in one transaction.
func (w *Warehouse) writeMembers(ctx context.Context, consumer string, seq uint64, apply []string, fill func(*duckdb.Appender) error) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.wconn == nil {
		return errors.New("segment members: warehouse closed")
	}
	for _, q := range []string{"segment_stage_create", "segment_stage_clear"} {
		if _, err := w.wconn.ExecContext(ctx, w.query(q)); err != nil {
			return fmt.Errorf("segment members: %w", err)
		}
	}
	if _, err := w.wconn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("segment members: %w", err)
	}
	err := w.wconn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "segment_stage")
		if err != nil {
			return err
		}
		if err := fill(a); err != nil {
			a.Close()
			return err
		}
		return a.Close()
	})
	for _, q := range apply {
		if err == nil {
			_, err = w.wconn.ExecContext(ctx, w.query(q))
		}
	}
	if err == nil {
		_, err = w.wconn.ExecContext(ctx, w.query("save_checkpoint"), consumer, seq)
	}
	if err == nil {
		_, err = w.wconn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		if _, rerr := w.wconn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("segment members: %w", err)
	}
	return nil
}

// LoadFact reads, from events the log brought up to sequence upto, what
// the segments engine keeps for one fact of a workspace, by the
// identifiers events carry (the engine attributes them to profiles):
//
//   - count facts: each pair of identifiers' Keep latest matching events;
//   - latest facts: each pair's latest matching event and its value;
//   - earliest facts: each pair's earliest matching event;
//   - sentiment facts: every feedback item with the sentiment.
func (w *Warehouse) LoadFact(ctx context.Context, workspace string, f *segment.Fact, upto uint64, fn func(segment.FactRow) error) error {
	b := &sqlb{}
	var stmt string
	ws, seq := b.p(workspace), b.p(upto)
	if f.Kind == segment.FactSentiment {
		stmt = "SELECT user_id, anonymous_id, created_at, id, NULL, NULL FROM feedback WHERE workspace = " + ws +
			" AND seq <= " + seq + " AND sentiment = " + b.p(f.Sentiment)
	} else {
		var cheap []string
		for _, m := range f.Match {
			cheap = append(cheap, b.cheap(m))
		}
		pcol := "NULL::JSON AS p"
		if needsProps(f) {
			pcol = unwrap("properties") + " AS p"
		}
		src := "(SELECT user_id, anonymous_id, timestamp, message_id, source_id, type, event, name, channel, " + pcol +
			" FROM events WHERE workspace = " + ws + " AND seq <= " + seq + " AND (" + strings.Join(cheap, " OR ") + "))"
		cond := b.factMatch(f)
		switch f.Kind {
		case segment.FactCount:
			stmt = "SELECT user_id, anonymous_id, timestamp, message_id, NULL, NULL FROM (SELECT user_id, anonymous_id, timestamp, message_id, " +
				"row_number() OVER (PARTITION BY user_id, anonymous_id ORDER BY timestamp DESC) AS rn FROM " + src + " WHERE " + cond + ") WHERE rn <= " + b.p(f.Keep)
		case segment.FactEarliest:
			stmt = "SELECT user_id, anonymous_id, min(timestamp), NULL, NULL, NULL FROM " + src + " WHERE " + cond + " GROUP BY user_id, anonymous_id"
		case segment.FactLatest:
			v, sv, fv := b.factValue(f), "NULL", "NULL"
			switch f.ValueKind {
			case segment.ValueNone:
				v = "NULL"
			case segment.ValueNumber:
				fv = "m.v"
			default:
				sv = "m.v"
			}
			stmt = "SELECT user_id, anonymous_id, m.t, NULL, " + sv + ", " + fv + " FROM (SELECT user_id, anonymous_id, max({'t': timestamp, 'v': " + v + "}) AS m FROM " +
				src + " WHERE " + cond + " GROUP BY user_id, anonymous_id)"
		}
	}
	rows, err := w.db.QueryContext(ctx, stmt, b.args...)
	if err != nil {
		return fmt.Errorf("load segment fact: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var user, anon, key, s sql.NullString
		var f sql.NullFloat64
		var ts time.Time
		if err := rows.Scan(&user, &anon, &ts, &key, &s, &f); err != nil {
			return fmt.Errorf("load segment fact: %w", err)
		}
		if err := fn(segment.FactRow{UserID: user.String, AnonymousID: anon.String, Time: ts, Key: key.String, Text: s.String, Number: f.Float64}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load segment fact: %w", err)
	}
	return nil
}
