package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/identity"
	"github.com/touchpoint-cx/touchpoint/segment"
)

// CreateSegment stores a new segment. The caller has checked that the
// segments it names exist.
func (db *DB) CreateSegment(ctx context.Context, s *touchpoint.Segment) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if _, err := db.FindWorkspace(ctx, s.Workspace); err != nil {
		return err
	}
	def, err := json.Marshal(s.Condition)
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	now := db.now()
	if s.ID == "" {
		s.ID = sortableID("seg_", now)
	}
	_, err = db.db.ExecContext(ctx, db.query("segment_insert"), sql.Named("workspace", s.Workspace), sql.Named("id", s.ID),
		sql.Named("name", s.Name), sql.Named("description", s.Description), sql.Named("persona", s.Persona),
		sql.Named("definition", string(def)), sql.Named("at", formatTime(now)), sql.Named("by", s.CreatedBy))
	if isUniqueViolation(err) {
		return touchpoint.FieldError("name", "a segment named %q already exists", s.Name)
	} else if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	s.Version, s.EvaluatedVersion, s.Size, s.CreatedAt, s.UpdatedAt = 1, 0, 0, now, now
	return nil
}

// UpdateSegment replaces a segment's name, description and definition.
func (db *DB) UpdateSegment(ctx context.Context, s *touchpoint.Segment) error {
	if err := s.Validate(); err != nil {
		return err
	}
	def, err := json.Marshal(s.Condition)
	if err != nil {
		return fmt.Errorf("update segment: %w", err)
	}
	var version int
	err = db.db.QueryRowContext(ctx, db.query("segment_update"), sql.Named("workspace", s.Workspace), sql.Named("id", s.ID),
		sql.Named("name", s.Name), sql.Named("description", s.Description), sql.Named("persona", s.Persona),
		sql.Named("definition", string(def)), sql.Named("at", formatTime(db.now()))).Scan(&version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "segment %q not found", s.ID)
	case isUniqueViolation(err):
		return touchpoint.FieldError("name", "a segment named %q already exists", s.Name)
	case err != nil:
		return fmt.Errorf("update segment: %w", err)
	}
	got, err := db.FindSegment(ctx, s.Workspace, s.ID)
	if err != nil {
		return err
	}
	*s = *got
	return nil
}

// DeleteSegment removes a segment with its members, history, sizes and
// destinations.
func (db *DB) DeleteSegment(ctx context.Context, workspace, id string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete segment: %w", err)
	}
	defer tx.Rollback()
	args := []any{sql.Named("workspace", workspace), sql.Named("id", id)}
	res, err := tx.ExecContext(ctx, db.query("segment_delete"), args...)
	if err != nil {
		return fmt.Errorf("delete segment: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "segment %q not found", id)
	}
	for _, q := range []string{"segment_members_delete_all", "segment_history_delete_all", "segment_sizes_delete_all",
		"segment_deliveries_delete_all", "segment_destinations_delete_all"} {
		if _, err := tx.ExecContext(ctx, db.query(q), args...); err != nil {
			return fmt.Errorf("delete segment: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete segment: %w", err)
	}
	return nil
}

func scanSegment(s scanner) (*touchpoint.Segment, error) {
	var seg touchpoint.Segment
	var def, created, updated string
	if err := s.Scan(&seg.Workspace, &seg.ID, &seg.Name, &seg.Description, &seg.Persona, &def, &seg.Version,
		&seg.EvaluatedVersion, &seg.Size, &created, &updated, &seg.CreatedBy); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(def), &seg.Condition); err != nil {
		return nil, fmt.Errorf("segment %s definition: %w", seg.ID, err)
	}
	var err error
	if seg.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if seg.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &seg, nil
}

// FindSegment returns one segment.
func (db *DB) FindSegment(ctx context.Context, workspace, id string) (*touchpoint.Segment, error) {
	s, err := scanSegment(db.rdb.QueryRowContext(ctx, db.query("segment_get"), sql.Named("workspace", workspace), sql.Named("id", id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "segment %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find segment: %w", err)
	}
	return s, nil
}

func (db *DB) segments(ctx context.Context, query string, args ...any) ([]*touchpoint.Segment, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query(query), args...)
	if err != nil {
		return nil, fmt.Errorf("find segments: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Segment{}
	for rows.Next() {
		s, err := scanSegment(rows)
		if err != nil {
			return nil, fmt.Errorf("find segments: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindSegments lists a workspace's segments by name.
func (db *DB) FindSegments(ctx context.Context, f touchpoint.SegmentFilter) ([]*touchpoint.Segment, error) {
	var persona any
	if f.Persona != nil {
		persona = *f.Persona
	}
	return db.segments(ctx, "segment_list", sql.Named("workspace", f.Workspace), sql.Named("persona", persona))
}

// AllSegments lists every workspace's segments.
func (db *DB) AllSegments(ctx context.Context) ([]*touchpoint.Segment, error) {
	return db.segments(ctx, "segment_list_all")
}

// ProfileSegments lists the segments a profile is in.
func (db *DB) ProfileSegments(ctx context.Context, workspace, profileID string) ([]*touchpoint.Segment, error) {
	return db.segments(ctx, "profile_segments", sql.Named("workspace", workspace), sql.Named("profile", profileID))
}

// SegmentMemberIDs lists the profiles in a segment.
func (db *DB) SegmentMemberIDs(ctx context.Context, workspace, segmentID string) ([]string, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("segment_members_ids"), sql.Named("workspace", workspace), sql.Named("segment", segmentID))
	if err != nil {
		return nil, fmt.Errorf("segment members: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("segment members: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// IsSegmentMember reports whether a profile is in a segment.
func (db *DB) IsSegmentMember(ctx context.Context, workspace, segmentID, profileID string) (bool, error) {
	var n int
	if err := db.rdb.QueryRowContext(ctx, db.query("segment_member_is"), sql.Named("workspace", workspace), sql.Named("segment", segmentID),
		sql.Named("profile", profileID)).Scan(&n); err != nil {
		return false, fmt.Errorf("segment member: %w", err)
	}
	return n > 0, nil
}

// SegmentMembersPage pages through a segment's members with their
// identifiers.
func (db *DB) SegmentMembersPage(ctx context.Context, f touchpoint.SegmentMemberFilter) ([]touchpoint.SegmentMember, error) {
	if f.Limit == 0 {
		f.Limit = touchpoint.DefaultMemberLimit
	}
	if f.Limit < 1 || f.Limit > touchpoint.MaxMemberLimit {
		return nil, touchpoint.FieldError("limit", "must be between 1 and %d", touchpoint.MaxMemberLimit)
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("segment_members_page"), sql.Named("workspace", f.Workspace),
		sql.Named("segment", f.SegmentID), sql.Named("after", f.After), sql.Named("limit", f.Limit))
	if err != nil {
		return nil, fmt.Errorf("segment members: %w", err)
	}
	out := []touchpoint.SegmentMember{}
	for rows.Next() {
		var m touchpoint.SegmentMember
		var since string
		if err := rows.Scan(&m.ProfileID, &since); err != nil {
			rows.Close()
			return nil, fmt.Errorf("segment members: %w", err)
		}
		if m.Since, err = parseTime(since); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("segment members: %w", err)
	}
	return out, db.fillMembers(ctx, out)
}

// fillMembers adds each member's first user id, email, phone and
// anonymous id, and name trait.
func (db *DB) fillMembers(ctx context.Context, ms []touchpoint.SegmentMember) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]string, len(ms))
	at := make(map[string]int, len(ms))
	for i, m := range ms {
		ids[i] = m.ProfileID
		at[m.ProfileID] = i
	}
	list, _ := json.Marshal(ids)
	rows, err := db.rdb.QueryContext(ctx, db.query("segment_member_identifiers"), sql.Named("ids", string(list)))
	if err != nil {
		return fmt.Errorf("member identifiers: %w", err)
	}
	for rows.Next() {
		var root, kind, value string
		if err := rows.Scan(&root, &kind, &value); err != nil {
			rows.Close()
			return fmt.Errorf("member identifiers: %w", err)
		}
		m := &ms[at[root]]
		switch {
		case kind == touchpoint.KindUserID && m.UserID == "":
			m.UserID = value
		case kind == touchpoint.KindEmail && m.Email == "":
			m.Email = value
		case kind == touchpoint.KindPhone && m.Phone == "":
			m.Phone = value
		case kind == touchpoint.KindAnonymousID && m.AnonymousID == "":
			m.AnonymousID = value
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("member identifiers: %w", err)
	}
	nrows, err := db.rdb.QueryContext(ctx, db.query("segment_member_names"), sql.Named("ids", string(list)))
	if err != nil {
		return fmt.Errorf("member names: %w", err)
	}
	defer nrows.Close()
	for nrows.Next() {
		var id string
		var name sql.NullString
		if err := nrows.Scan(&id, &name); err != nil {
			return fmt.Errorf("member names: %w", err)
		}
		ms[at[id]].Name = name.String
	}
	return nrows.Err()
}

// SegmentHistory lists membership changes, newest first.
func (db *DB) SegmentHistory(ctx context.Context, f touchpoint.SegmentHistoryFilter) ([]touchpoint.SegmentChange, error) {
	if f.Limit == 0 {
		f.Limit = touchpoint.DefaultMemberLimit
	}
	if f.Limit < 1 || f.Limit > touchpoint.MaxMemberLimit {
		return nil, touchpoint.FieldError("limit", "must be between 1 and %d", touchpoint.MaxMemberLimit)
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("segment_history_list"), sql.Named("workspace", f.Workspace), sql.Named("segment", f.SegmentID),
		sql.Named("profile", f.ProfileID), sql.Named("before", f.Before), sql.Named("limit", f.Limit))
	if err != nil {
		return nil, fmt.Errorf("segment history: %w", err)
	}
	defer rows.Close()
	out := []touchpoint.SegmentChange{}
	for rows.Next() {
		var c touchpoint.SegmentChange
		var ev sql.NullString
		var at string
		if err := rows.Scan(&c.ID, &c.SegmentID, &c.ProfileID, &c.Change, &c.Reason, &ev, &at); err != nil {
			return nil, fmt.Errorf("segment history: %w", err)
		}
		c.EventID = ev.String
		if c.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SegmentSizes returns the size at the end of each day since since.
func (db *DB) SegmentSizes(ctx context.Context, workspace, id string, since time.Time) ([]touchpoint.SegmentSize, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("segment_sizes_list"), sql.Named("workspace", workspace), sql.Named("segment", id),
		sql.Named("since", since.UTC().Format(time.DateOnly)))
	if err != nil {
		return nil, fmt.Errorf("segment sizes: %w", err)
	}
	defer rows.Close()
	out := []touchpoint.SegmentSize{}
	for rows.Next() {
		var s touchpoint.SegmentSize
		var day string
		if err := rows.Scan(&day, &s.Size, &s.Entered, &s.Exited); err != nil {
			return nil, fmt.Errorf("segment sizes: %w", err)
		}
		if s.Day, err = time.Parse(time.DateOnly, day); err != nil {
			return nil, fmt.Errorf("segment sizes: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ---- the engine's state ------------------------------------------------------

// SegmentCheckpoint is how far the segments engine has got.
func (db *DB) SegmentCheckpoint(ctx context.Context) (segment.Checkpoint, error) {
	var ck segment.Checkpoint
	var swept sql.NullString
	if err := db.rdb.QueryRowContext(ctx, db.query("segment_engine_get")).Scan(&ck.Seq, &ck.IdentityChange, &ck.Pass, &ck.ChangedPass, &swept); err != nil {
		return ck, fmt.Errorf("segment checkpoint: %w", err)
	}
	if swept.Valid {
		t, err := parseTime(swept.String)
		if err != nil {
			return ck, err
		}
		ck.SweptAt = t
	}
	return ck, nil
}

// CommitSegmentPass stores one pass of the segments engine in one
// transaction: members, history, sizes, the events to append, deliveries,
// evaluated versions and the checkpoint.
func (db *DB) CommitSegmentPass(ctx context.Context, p *segment.Pass) error {
	ctx = context.WithoutCancel(ctx)
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("commit segment pass: %w", err)
	}
	defer tx.Rollback()
	stmts := map[string]*sql.Stmt{}
	stmt := func(name string) (*sql.Stmt, error) {
		if s, ok := stmts[name]; ok {
			return s, nil
		}
		s, err := tx.PrepareContext(ctx, db.query(name))
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		stmts[name] = s
		return s, nil
	}
	defer func() {
		for _, s := range stmts {
			s.Close()
		}
	}()
	exec := func(name string, args ...any) (int64, error) {
		s, err := stmt(name)
		if err != nil {
			return 0, err
		}
		res, err := s.ExecContext(ctx, args...)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		return res.RowsAffected()
	}
	type key struct{ ws, seg string }
	type delta struct{ in, out int64 }
	deltas := map[key]*delta{}
	var order []key
	for _, c := range p.Changes {
		at := formatTime(c.At)
		args := []any{sql.Named("workspace", c.Workspace), sql.Named("segment", c.SegmentID), sql.Named("profile", c.ProfileID)}
		var n int64
		if c.Entered {
			n, err = exec("segment_member_add", append(args, sql.Named("at", at))...)
		} else {
			n, err = exec("segment_member_remove", args...)
		}
		if err != nil {
			return fmt.Errorf("commit segment pass: %w", err)
		}
		if n == 0 {
			// The segment was deleted meanwhile, or the row was already
			// as the change leaves it.
			continue
		}
		k := key{c.Workspace, c.SegmentID}
		d := deltas[k]
		if d == nil {
			d = &delta{}
			deltas[k] = d
			order = append(order, k)
		}
		change := touchpoint.SegmentExited
		if c.Entered {
			change = touchpoint.SegmentEntered
			d.in++
		} else {
			d.out++
		}
		if _, err := exec("segment_history_insert", append(args, sql.Named("change", change), sql.Named("reason", c.Reason),
			sql.Named("event_id", nullStr(c.EventID)), sql.Named("at", at))...); err != nil {
			return fmt.Errorf("commit segment pass: %w", err)
		}
	}
	day := p.At.UTC().Format(time.DateOnly)
	for _, k := range order {
		d := deltas[k]
		args := []any{sql.Named("workspace", k.ws), sql.Named("segment", k.seg)}
		if _, err := exec("segment_size_add", append(args, sql.Named("delta", d.in-d.out))...); err != nil {
			return fmt.Errorf("commit segment pass: %w", err)
		}
		if _, err := exec("segment_size_day", append(args, sql.Named("day", day), sql.Named("entered", d.in), sql.Named("exited", d.out))...); err != nil {
			return fmt.Errorf("commit segment pass: %w", err)
		}
	}
	for _, e := range p.Evaluated {
		args := []any{sql.Named("workspace", e.Workspace), sql.Named("segment", e.SegmentID), sql.Named("version", e.Version)}
		if _, err := exec("segment_evaluated", args...); err != nil {
			return fmt.Errorf("commit segment pass: %w", err)
		}
		// A segment evaluated for the first time gets a size for today even
		// if no one is in it.
		if _, err := exec("segment_size_day", append(args[:2], sql.Named("day", day), sql.Named("entered", 0), sql.Named("exited", 0))...); err != nil {
			return fmt.Errorf("commit segment pass: %w", err)
		}
	}
	for i := range p.Outbox {
		body, err := json.Marshal(&p.Outbox[i])
		if err != nil {
			return fmt.Errorf("commit segment pass: %w", err)
		}
		if _, err := exec("segment_outbox_insert", sql.Named("id", p.Outbox[i].ID), sql.Named("body", string(body))); err != nil {
			return fmt.Errorf("commit segment pass: %w", err)
		}
	}
	for _, d := range p.Deliveries {
		if _, err := exec("segment_deliveries_enqueue", sql.Named("workspace", d.Workspace), sql.Named("segment", d.SegmentID),
			sql.Named("body", string(d.Body)), sql.Named("at", formatTime(p.At))); err != nil {
			return fmt.Errorf("commit segment pass: %w", err)
		}
	}
	var swept any
	if !p.SweptAt.IsZero() {
		swept = formatTime(p.SweptAt)
	}
	if _, err := exec("segment_engine_save", sql.Named("seq", p.Seq), sql.Named("identity_change", p.IdentityChange),
		sql.Named("pass", p.Pass), sql.Named("changed_pass", p.ChangedPass), sql.Named("swept_at", swept)); err != nil {
		return fmt.Errorf("commit segment pass: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit segment pass: %w", err)
	}
	return nil
}

// LoadSegmentMembers calls fn for every membership of every segment.
func (db *DB) LoadSegmentMembers(ctx context.Context, fn func(workspace, segmentID, profileID string) error) error {
	rows, err := db.rdb.QueryContext(ctx, db.query("segment_members_all"))
	if err != nil {
		return fmt.Errorf("load segment members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ws, seg, p string
		if err := rows.Scan(&ws, &seg, &p); err != nil {
			return fmt.Errorf("load segment members: %w", err)
		}
		if err := fn(ws, seg, p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SegmentOutbox returns the membership events not yet in the log.
func (db *DB) SegmentOutbox(ctx context.Context) ([]touchpoint.Event, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("segment_outbox_list"))
	if err != nil {
		return nil, fmt.Errorf("segment outbox: %w", err)
	}
	defer rows.Close()
	var out []touchpoint.Event
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("segment outbox: %w", err)
		}
		var ev touchpoint.Event
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			return nil, fmt.Errorf("segment outbox: %w", err)
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// ClearSegmentOutbox forgets events that are in the log.
func (db *DB) ClearSegmentOutbox(ctx context.Context, ids []string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("clear segment outbox: %w", err)
	}
	defer tx.Rollback()
	s, err := tx.PrepareContext(ctx, db.query("segment_outbox_delete"))
	if err != nil {
		return fmt.Errorf("clear segment outbox: %w", err)
	}
	defer s.Close()
	for _, id := range ids {
		if _, err := s.ExecContext(ctx, sql.Named("id", id)); err != nil {
			return fmt.Errorf("clear segment outbox: %w", err)
		}
	}
	return tx.Commit()
}

// SegmentIdentities reads every profile row and every user id and
// anonymous id from one snapshot, with the last identity change it holds.
func (db *DB) SegmentIdentities(ctx context.Context, row func(id, workspace, mergedInto string), ident func(workspace, kind, value, row string)) (uint64, error) {
	tx, err := db.rdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("segment identities: %w", err)
	}
	defer tx.Rollback()
	var last uint64
	if err := tx.QueryRowContext(ctx, db.query("identity_change_last")).Scan(&last); err != nil {
		return 0, fmt.Errorf("segment identities: %w", err)
	}
	rows, err := tx.QueryContext(ctx, db.query("segment_identity_rows"))
	if err != nil {
		return 0, fmt.Errorf("segment identities: %w", err)
	}
	for rows.Next() {
		var id, ws string
		var into sql.NullString
		if err := rows.Scan(&id, &ws, &into); err != nil {
			rows.Close()
			return 0, fmt.Errorf("segment identities: %w", err)
		}
		row(id, ws, into.String)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("segment identities: %w", err)
	}
	ids, err := tx.QueryContext(ctx, db.query("segment_identity_idents"))
	if err != nil {
		return 0, fmt.Errorf("segment identities: %w", err)
	}
	defer ids.Close()
	for ids.Next() {
		var ws, kind, value, p string
		if err := ids.Scan(&ws, &kind, &value, &p); err != nil {
			return 0, fmt.Errorf("segment identities: %w", err)
		}
		ident(ws, kind, value, p)
	}
	return last, ids.Err()
}

// computedCounts are the computed traits segments compare.
type computedCounts struct {
	Events  int64   `json:"events"`
	Orders  int64   `json:"orders"`
	Revenue float64 `json:"revenue"`
}

// SegmentProfileData reads what segments need of profiles besides facts:
// traits composed over each profile's rows (the latest value of each),
// computed counts summed, and the traits of their accounts.
func (db *DB) SegmentProfileData(ctx context.Context, workspace string, profiles map[string][]string) (map[string]*segment.ProfileData, error) {
	tx, err := db.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("segment profile data: %w", err)
	}
	defer tx.Rollback()
	itx := newIdentityTx(db, tx, ctx)
	defer itx.close()
	owner := map[string]string{}
	var rowIDs []any
	for p, rows := range profiles {
		for _, r := range rows {
			owner[r] = p
			rowIDs = append(rowIDs, r)
		}
	}
	out := make(map[string]*segment.ProfileData, len(profiles))
	latest := map[string]map[string]identity.TraitValue{}
	for p := range profiles {
		out[p] = &segment.ProfileData{Traits: map[string]json.RawMessage{}}
		latest[p] = map[string]identity.TraitValue{}
	}
	err = itx.queryIn("segment_profile_rows", []any{workspace}, rowIDs, 1, func(rows *sql.Rows) error {
		var id, traits, computed string
		if err := rows.Scan(&id, &traits, &computed); err != nil {
			return err
		}
		p := owner[id]
		var tv map[string]identity.TraitValue
		if err := gojson.Unmarshal([]byte(traits), &tv); err != nil {
			return fmt.Errorf("profile traits %s: %w", id, err)
		}
		l := latest[p]
		for k, v := range tv {
			if cur, ok := l[k]; !ok || v.At.After(cur.At) {
				l[k] = v
			}
		}
		var c computedCounts
		if err := gojson.Unmarshal([]byte(computed), &c); err != nil {
			return fmt.Errorf("profile computed traits %s: %w", id, err)
		}
		d := out[p]
		d.Events += c.Events
		d.Orders += c.Orders
		if !math.IsNaN(c.Revenue) {
			d.Revenue += c.Revenue
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("segment profile data: %w", err)
	}
	for p, l := range latest {
		for k, v := range l {
			out[p].Traits[k] = v.Value
		}
	}
	err = itx.queryIn("segment_profile_accounts", []any{workspace}, rowIDs, 1, func(rows *sql.Rows) error {
		var id, traits string
		if err := rows.Scan(&id, &traits); err != nil {
			return err
		}
		var t map[string]json.RawMessage
		if err := gojson.Unmarshal([]byte(traits), &t); err != nil {
			return fmt.Errorf("account traits: %w", err)
		}
		d := out[owner[id]]
		d.Accounts = append(d.Accounts, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("segment profile data: %w", err)
	}
	return out, nil
}

// AccountMemberRows lists the profile rows in an account.
func (db *DB) AccountMemberRows(ctx context.Context, workspace, accountID string) ([]string, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("account_member_rows"), sql.Named("workspace", workspace), sql.Named("account", accountID))
	if err != nil {
		return nil, fmt.Errorf("account members: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("account members: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// FeedbackSentiments returns feedback items by id.
func (db *DB) FeedbackSentiments(ctx context.Context, workspace string, ids []string) (map[string]segment.FeedbackItem, error) {
	tx, err := db.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("feedback sentiments: %w", err)
	}
	defer tx.Rollback()
	itx := newIdentityTx(db, tx, ctx)
	defer itx.close()
	out := map[string]segment.FeedbackItem{}
	err = itx.queryIn("feedback_sentiments", []any{workspace}, anys(ids), 1, func(rows *sql.Rows) error {
		var it segment.FeedbackItem
		var user, anon, sentiment sql.NullString
		var created string
		if err := rows.Scan(&it.ID, &user, &anon, &sentiment, &created); err != nil {
			return err
		}
		it.UserID, it.AnonymousID, it.Sentiment = user.String, anon.String, sentiment.String
		t, err := parseTime(created)
		if err != nil {
			return err
		}
		it.CreatedAt = t
		out[it.ID] = it
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("feedback sentiments: %w", err)
	}
	return out, nil
}
