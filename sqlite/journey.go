package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/journey"
)

// SaveJourney creates a journey or replaces its draft.
func (db *DB) SaveJourney(ctx context.Context, j *touchpoint.Journey) error {
	if err := touchpoint.ValidateJourneyID(j.ID); err != nil {
		return err
	}
	draft, err := json.Marshal(j.Draft)
	if err != nil {
		return fmt.Errorf("save journey: %w", err)
	}
	now := formatTime(db.now())
	if _, err := db.db.ExecContext(ctx, db.query("journey_insert"), j.Workspace, j.ID, string(draft), now, now, j.UpdatedBy); err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") {
			return touchpoint.Errorf(touchpoint.ENOTFOUND, "workspace %q not found", j.Workspace)
		}
		return fmt.Errorf("save journey: %w", err)
	}
	got, err := db.FindJourney(ctx, j.Workspace, j.ID)
	if err != nil {
		return err
	}
	*j = *got
	return nil
}

// FindJourney returns a journey with its draft.
func (db *DB) FindJourney(ctx context.Context, workspace, id string) (*touchpoint.Journey, error) {
	j, err := scanJourney(db.rdb.QueryRowContext(ctx, db.query("journey_get"), workspace, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "journey %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find journey: %w", err)
	}
	return j, nil
}

// ListJourneys returns the workspace's journeys by id.
func (db *DB) ListJourneys(ctx context.Context, workspace string) ([]*touchpoint.Journey, error) {
	return db.journeys(ctx, "journey_list", workspace)
}

func (db *DB) journeys(ctx context.Context, query string, args ...any) ([]*touchpoint.Journey, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list journeys: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Journey{}
	for rows.Next() {
		j, err := scanJourney(rows)
		if err != nil {
			return nil, fmt.Errorf("list journeys: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

func scanJourney(s scanner) (*touchpoint.Journey, error) {
	var j touchpoint.Journey
	var draft, created, updated string
	if err := s.Scan(&j.Workspace, &j.ID, &j.Status, &draft, &j.ActiveVersion, &created, &updated, &j.UpdatedBy); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(draft), &j.Draft); err != nil {
		return nil, fmt.Errorf("journey %s draft: %w", j.ID, err)
	}
	var err error
	if j.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if j.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &j, nil
}

// PublishJourney freezes the draft as the next version.
func (db *DB) PublishJourney(ctx context.Context, workspace, id, by string) (*touchpoint.JourneyVersion, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("publish journey: %w", err)
	}
	defer tx.Rollback()
	j, err := scanJourney(tx.QueryRowContext(ctx, db.query("journey_get"), workspace, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "journey %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("publish journey: %w", err)
	}
	var last int
	if err := tx.QueryRowContext(ctx, db.query("journey_version_last"), workspace, id).Scan(&last); err != nil {
		return nil, fmt.Errorf("publish journey: %w", err)
	}
	v := &touchpoint.JourneyVersion{Workspace: workspace, JourneyID: id, Version: last + 1, Definition: j.Draft, PublishedAt: db.now(), PublishedBy: by}
	def, err := json.Marshal(v.Definition)
	if err != nil {
		return nil, err
	}
	now := formatTime(v.PublishedAt)
	if _, err := tx.ExecContext(ctx, db.query("journey_version_insert"), workspace, id, v.Version, string(def), now, by); err != nil {
		return nil, fmt.Errorf("publish journey: %w", err)
	}
	if _, err := tx.ExecContext(ctx, db.query("journey_set_status"), touchpoint.JourneyLive, v.Version, now, by, workspace, id); err != nil {
		return nil, fmt.Errorf("publish journey: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("publish journey: %w", err)
	}
	return v, nil
}

// StopJourney stops enrolling.
func (db *DB) StopJourney(ctx context.Context, workspace, id, by string) (*touchpoint.Journey, error) {
	j, err := db.FindJourney(ctx, workspace, id)
	if err != nil {
		return nil, err
	}
	if j.ActiveVersion == 0 {
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "journey %q was never published", id)
	}
	if _, err := db.db.ExecContext(ctx, db.query("journey_set_status"), touchpoint.JourneyStopped, j.ActiveVersion, formatTime(db.now()), by, workspace, id); err != nil {
		return nil, fmt.Errorf("stop journey: %w", err)
	}
	return db.FindJourney(ctx, workspace, id)
}

// FindJourneyVersion returns a published version.
func (db *DB) FindJourneyVersion(ctx context.Context, workspace, id string, version int) (*touchpoint.JourneyVersion, error) {
	v, err := scanVersion(db.rdb.QueryRowContext(ctx, db.query("journey_version_get"), workspace, id, version))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "journey %q has no version %d", id, version)
	} else if err != nil {
		return nil, fmt.Errorf("find journey version: %w", err)
	}
	return v, nil
}

func scanVersion(s scanner) (*touchpoint.JourneyVersion, error) {
	var v touchpoint.JourneyVersion
	var def, at string
	if err := s.Scan(&v.Workspace, &v.JourneyID, &v.Version, &def, &at, &v.PublishedBy); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(def), &v.Definition); err != nil {
		return nil, fmt.Errorf("journey %s v%d: %w", v.JourneyID, v.Version, err)
	}
	var err error
	v.PublishedAt, err = parseTime(at)
	return &v, err
}

// PublishedJourneys returns every published journey with all its versions.
func (db *DB) PublishedJourneys(ctx context.Context) ([]*touchpoint.Journey, []*touchpoint.JourneyVersion, error) {
	js, err := db.journeys(ctx, "journey_published")
	if err != nil {
		return nil, nil, err
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("journey_versions_published"))
	if err != nil {
		return nil, nil, fmt.Errorf("journey versions: %w", err)
	}
	defer rows.Close()
	var vs []*touchpoint.JourneyVersion
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("journey versions: %w", err)
		}
		vs = append(vs, v)
	}
	return js, vs, rows.Err()
}

// JourneyStats returns the counts of one version.
func (db *DB) JourneyStats(ctx context.Context, workspace, id string, version int) (*touchpoint.JourneyStats, error) {
	v, err := db.FindJourneyVersion(ctx, workspace, id, version)
	if err != nil {
		return nil, err
	}
	st := &touchpoint.JourneyStats{JourneyID: id, Version: version, Nodes: map[string]*touchpoint.NodeStats{}}
	node := func(id string) *touchpoint.NodeStats {
		n, ok := st.Nodes[id]
		if !ok {
			n = &touchpoint.NodeStats{Passed: map[string]int64{}}
			st.Nodes[id] = n
		}
		return n
	}
	node(touchpoint.EntryNodeID)
	for _, n := range v.Definition.Nodes {
		node(n.ID)
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("journey_counts_get"), workspace, id, version)
	if err != nil {
		return nil, fmt.Errorf("journey stats: %w", err)
	}
	for rows.Next() {
		var nodeID, metric string
		var n int64
		if err := rows.Scan(&nodeID, &metric, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("journey stats: %w", err)
		}
		ns := node(nodeID)
		switch metric {
		case "entered":
			ns.Entered = n
		case "sent":
			ns.Sent = n
		case "delivered":
			ns.Delivered = n
		case "failed":
			ns.Failed = n
		case "skipped":
			ns.Skipped = n
		case "converted":
			ns.Converted = n
		default:
			if port, ok := strings.CutPrefix(metric, "passed:"); ok {
				ns.Passed[port] = n
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.rdb.QueryContext(ctx, db.query("journey_waiting"), workspace, id, version)
	if err != nil {
		return nil, fmt.Errorf("journey stats: %w", err)
	}
	for rows.Next() {
		var nodeID string
		var n int64
		if err := rows.Scan(&nodeID, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("journey stats: %w", err)
		}
		node(nodeID).Waiting = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.rdb.QueryContext(ctx, db.query("journey_outcomes"), workspace, id, version)
	if err != nil {
		return nil, fmt.Errorf("journey stats: %w", err)
	}
	defer rows.Close()
	var outcomes []journey.ArmOutcome
	for rows.Next() {
		var o journey.ArmOutcome
		if err := rows.Scan(&o.Arm, &o.Status, &o.N); err != nil {
			return nil, fmt.Errorf("journey stats: %w", err)
		}
		st.Enrolled += o.N
		switch o.Status {
		case touchpoint.EnrolmentActive:
			st.Active += o.N
		case touchpoint.EnrolmentConverted:
			st.Converted += o.N
		}
		outcomes = append(outcomes, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	st.Splits = journey.SplitConversion(&v.Definition, outcomes)
	return st, nil
}

// Lists returns a workspace's lists with their sizes, by name.
func (db *DB) Lists(ctx context.Context, workspace string) ([]touchpoint.List, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("lists_summary"), workspace)
	if err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	defer rows.Close()
	out := []touchpoint.List{}
	for rows.Next() {
		var l touchpoint.List
		var last string
		if err := rows.Scan(&l.Name, &l.Members, &last); err != nil {
			return nil, fmt.Errorf("lists: %w", err)
		}
		if l.LastAdded, err = parseTime(last); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ListMembers returns a page of a list's members by profile id.
func (db *DB) ListMembers(ctx context.Context, workspace, list, after string, limit int) ([]touchpoint.ListMember, error) {
	if err := touchpoint.ValidateListName(list); err != nil {
		return nil, err
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("list_members_page"), workspace, list, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	out := []touchpoint.ListMember{}
	for rows.Next() {
		var m touchpoint.ListMember
		var at string
		if err := rows.Scan(&m.ProfileID, &at); err != nil {
			return nil, fmt.Errorf("list members: %w", err)
		}
		if m.AddedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// FindEnrolments lists enrolments, newest first.
func (db *DB) FindEnrolments(ctx context.Context, f touchpoint.EnrolmentFilter) ([]*touchpoint.Enrolment, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("enrolments_find"), sql.Named("ws", f.Workspace), sql.Named("journey", nullPtr(f.JourneyID)),
		sql.Named("profile", nullPtr(f.ProfileID)), sql.Named("status", nullPtr(f.Status)), sql.Named("lim", f.Limit))
	if err != nil {
		return nil, fmt.Errorf("find enrolments: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Enrolment{}
	for rows.Next() {
		e, err := scanEnrolment(rows)
		if err != nil {
			return nil, fmt.Errorf("find enrolments: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func nullPtr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// scanEnrolment reads an enrolment; lead are destinations for columns the
// query selects before the enrolment's own (a rowid, say).
func scanEnrolment(s scanner, lead ...any) (*touchpoint.Enrolment, error) {
	var e touchpoint.Enrolment
	var wake, waitEvent, ended sql.NullString
	var trigger, entered, updated string
	if err := s.Scan(append(lead, &e.ID, &e.Workspace, &e.JourneyID, &e.Version, &e.ProfileID, &e.UserID, &e.Status, &e.NodeID, &e.Step,
		&wake, &waitEvent, &e.Arm, &trigger, &entered, &updated, &ended, &e.EndReason)...); err != nil {
		return nil, err
	}
	var err error
	if e.WakeAt, err = parseNullTime(wake); err != nil {
		return nil, err
	}
	if e.EndedAt, err = parseNullTime(ended); err != nil {
		return nil, err
	}
	e.WaitEvent = waitEvent.String
	e.Trigger = json.RawMessage(trigger)
	if e.EnteredAt, err = parseTime(entered); err != nil {
		return nil, err
	}
	if e.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &e, nil
}

// JourneysCheckpoint is the last log sequence the journey engine applied.
func (db *DB) JourneysCheckpoint(ctx context.Context) (uint64, error) {
	var seq uint64
	if err := db.rdb.QueryRowContext(ctx, db.query("checkpoint"), journey.ConsumerName).Scan(&seq); err != nil {
		return 0, fmt.Errorf("journeys checkpoint: %w", err)
	}
	return seq, nil
}

// UpdateJourneys runs fn in one write transaction.
func (db *DB) UpdateJourneys(ctx context.Context, fn func(journey.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin journeys batch: %w", err)
	}
	// As for identity batches, a batch that has begun runs to its end.
	jtx := &journeyTx{identityTx: newIdentityTx(db, tx, context.WithoutCancel(ctx)), saved: map[string]int{}, rowids: map[string]int64{}}
	err = fn(jtx)
	if err == nil {
		err = jtx.flushSaves()
	}
	jtx.close()
	if err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit journeys batch: %w", err)
	}
	return nil
}

// journeyTx reuses the identity transaction's statement cache. Enrolment
// saves and list additions are held and written many rows to a statement,
// in key order, before the next read and at the end: a timer batch moves
// thousands of customers, and a statement per customer would cost more
// than the moves.
type journeyTx struct {
	*identityTx
	saves []*touchpoint.Enrolment
	saved map[string]int // enrolment id -> index in saves
	// rowids are the rowids of the enrolments the transaction read or
	// inserted: saves find their rows by them, without the id index.
	rowids   map[string]int64
	listAdds []listAdd
}

type listAdd struct{ workspace, list, profile, at string }

// saveChunk is how many enrolments one UPDATE writes (10 parameters each);
// listChunk how many list members one INSERT adds (4 each).
const (
	saveChunk = 300
	listChunk = 500
)

func (t *journeyTx) flushSaves() error {
	if err := t.flushListAdds(); err != nil {
		return err
	}
	if len(t.saves) == 0 {
		return nil
	}
	// In rowid order, the rows a batch moves are written page by page.
	type save struct {
		rowid int64
		e     *touchpoint.Enrolment
	}
	saves := make([]save, len(t.saves))
	for i, e := range t.saves {
		saves[i] = save{t.rowids[e.ID], e}
	}
	sort.Slice(saves, func(i, j int) bool { return saves[i].rowid < saves[j].rowid })
	args := make([]any, 0, 10*len(saves))
	for _, s := range saves {
		e := s.e
		args = append(args, s.rowid, e.Status, e.NodeID, e.Step, nullTime(e.WakeAt), nullString(e.WaitEvent), e.Arm, formatTime(e.UpdatedAt), nullTime(e.EndedAt), e.EndReason)
	}
	if err := t.execRows("enrolment_save_many", 10, saveChunk, args); err != nil {
		return fmt.Errorf("save enrolments: %w", err)
	}
	t.saves, t.saved = t.saves[:0], map[string]int{}
	return nil
}

// flushListAdds writes the held list additions, in key order.
func (t *journeyTx) flushListAdds() error {
	adds := t.listAdds
	if len(adds) == 0 {
		return nil
	}
	t.listAdds = nil
	sort.Slice(adds, func(i, j int) bool {
		a, b := adds[i], adds[j]
		if a.workspace != b.workspace {
			return a.workspace < b.workspace
		}
		if a.list != b.list {
			return a.list < b.list
		}
		return a.profile < b.profile
	})
	args := make([]any, 0, 4*len(adds))
	for _, a := range adds {
		args = append(args, a.workspace, a.list, a.profile, a.at)
	}
	if err := t.execRows("list_members_add_many", 4, listChunk, args); err != nil {
		return fmt.Errorf("add list members: %w", err)
	}
	return nil
}

func (t *journeyTx) SaveCheckpoint(seq uint64) error {
	_, err := t.exec("save_checkpoint", journey.ConsumerName, seq, formatTime(t.db.now()))
	return err
}

func (t *journeyTx) ActiveEnrolments(workspace string, profileIDs []string) ([]*touchpoint.Enrolment, error) {
	if err := t.flushSaves(); err != nil {
		return nil, err
	}
	var out []*touchpoint.Enrolment
	if len(profileIDs) == 1 {
		// The common case, on a statement prepared once per transaction.
		s, err := t.stmt("enrolments_active_one")
		if err != nil {
			return nil, err
		}
		rows, err := s.QueryContext(t.ctx, workspace, profileIDs[0])
		if err != nil {
			return nil, fmt.Errorf("active enrolments: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			e, err := t.scanEnrolment(rows)
			if err != nil {
				return nil, fmt.Errorf("active enrolments: %w", err)
			}
			out = append(out, e)
		}
		return out, rows.Err()
	}
	err := t.queryIn("enrolments_active_of", []any{workspace}, anys(profileIDs), 1, func(rows *sql.Rows) error {
		e, err := t.scanEnrolment(rows)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("active enrolments: %w", err)
	}
	return out, nil
}

func (t *journeyTx) Entries(workspace, journeyID, profileID string) (journey.Entries, error) {
	if err := t.flushSaves(); err != nil {
		return journey.Entries{}, err
	}
	var e journey.Entries
	var active int
	var last string
	r, err := t.row("enrolment_entries", workspace, journeyID, profileID)
	if err != nil {
		return e, err
	}
	if err := r.Scan(&e.Count, &active, &last); err != nil {
		return e, fmt.Errorf("enrolment entries: %w", err)
	}
	e.Active = active == 1
	if last != "" {
		if e.Last, err = parseTime(last); err != nil {
			return e, err
		}
	}
	return e, nil
}

func (t *journeyTx) InsertEnrolment(e *touchpoint.Enrolment) (bool, error) {
	if err := t.flushSaves(); err != nil {
		return false, err
	}
	res, err := t.exec("enrolment_insert", e.ID, e.Workspace, e.JourneyID, e.Version, e.ProfileID, e.UserID, e.Status, e.NodeID, e.Step,
		nullTime(e.WakeAt), nullString(e.WaitEvent), e.Arm, string(orEmptyObject(e.Trigger)), formatTime(e.EnteredAt), formatTime(e.UpdatedAt), nullTime(e.EndedAt), e.EndReason)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n != 1 {
		return false, err
	}
	rowid, err := res.LastInsertId()
	if err != nil {
		return false, fmt.Errorf("insert enrolment: %w", err)
	}
	t.rowids[e.ID] = rowid
	return true, nil
}

// scanEnrolment reads an enrolment whose query selects its rowid first.
func (t *journeyTx) scanEnrolment(rows *sql.Rows) (*touchpoint.Enrolment, error) {
	var rowid int64
	e, err := scanEnrolment(rows, &rowid)
	if err != nil {
		return nil, err
	}
	t.rowids[e.ID] = rowid
	return e, nil
}

func (t *journeyTx) SaveEnrolment(e *touchpoint.Enrolment) error {
	if _, ok := t.rowids[e.ID]; !ok {
		return fmt.Errorf("save enrolment %s: not read or inserted in this transaction", e.ID)
	}
	c := *e
	if i, ok := t.saved[e.ID]; ok {
		t.saves[i] = &c
		return nil
	}
	t.saved[e.ID] = len(t.saves)
	t.saves = append(t.saves, &c)
	return nil
}

func (t *journeyTx) DueEnrolments(now time.Time, limit int) ([]*touchpoint.Enrolment, error) {
	if err := t.flushSaves(); err != nil {
		return nil, err
	}
	s, err := t.stmt("enrolments_due")
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(t.ctx, formatTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due enrolments: %w", err)
	}
	defer rows.Close()
	var out []*touchpoint.Enrolment
	for rows.Next() {
		e, err := t.scanEnrolment(rows)
		if err != nil {
			return nil, fmt.Errorf("due enrolments: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *journeyTx) Enqueue(d *touchpoint.Delivery) error {
	now := formatTime(d.CreatedAt)
	_, err := t.exec("outbox_insert", d.ID, d.Workspace, d.Channel, d.ProfileID, d.UserID, d.JourneyID, d.Version, d.NodeID, d.EnrolmentID,
		formatTime(d.NextAt), string(orEmptyObject(d.Context)), now, now)
	return err
}

func (t *journeyTx) AddCounts(c map[journey.CountKey]int64) error {
	for k, n := range c {
		if _, err := t.exec("journey_counts_add", k.Workspace, k.JourneyID, k.Version, k.NodeID, k.Metric, n); err != nil {
			return err
		}
	}
	return nil
}

func (t *journeyTx) SetListMember(workspace, list, profileID string, add bool, at time.Time) error {
	if add {
		t.listAdds = append(t.listAdds, listAdd{workspace, list, profileID, formatTime(at)})
		return nil
	}
	// Additions held so far come first.
	if err := t.flushListAdds(); err != nil {
		return err
	}
	_, err := t.exec("list_member_remove", workspace, list, profileID)
	return err
}

func (t *journeyTx) DateRun(workspace, journeyID string, version int, day string) (bool, error) {
	res, err := t.exec("journey_date_run", workspace, journeyID, version, day)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DateTraits calls fn with every unmerged profile holding trait.
func (db *DB) DateTraits(ctx context.Context, workspace, trait string, fn func(profileID string, value json.RawMessage) error) error {
	rows, err := db.rdb.QueryContext(ctx, db.query("profile_date_traits"), sql.Named("ws", workspace), sql.Named("trait", trait))
	if err != nil {
		return fmt.Errorf("date traits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var v any
		if err := rows.Scan(&id, &v); err != nil {
			return fmt.Errorf("date traits: %w", err)
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := fn(id, raw); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AddCount adds to one per-node counter.
func (db *DB) AddCount(ctx context.Context, k journey.CountKey, n int64) error {
	_, err := db.db.ExecContext(ctx, db.query("journey_counts_add"), k.Workspace, k.JourneyID, k.Version, k.NodeID, k.Metric, n)
	if err != nil {
		return fmt.Errorf("add count: %w", err)
	}
	return nil
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orEmptyObject(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("{}")
	}
	return b
}

// ResolveProfiles finds the profiles of many events' identifiers at once,
// cheaply: the owner rows from the identifier index, the canonical
// profile, the rows merged into it and its user id; no traits are read.
func (db *DB) ResolveProfiles(ctx context.Context, keys []journey.IdentifierSet) ([]*journey.ProfileRef, error) {
	tx, err := db.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("resolve profiles: %w", err)
	}
	defer tx.Rollback()
	t := newIdentityTx(db, tx, context.WithoutCancel(ctx))
	defer t.close()
	byWorkspace := map[string][]any{}
	for _, k := range keys {
		for _, id := range k.IDs {
			ok := ownerKey{k.Workspace, id.Kind, id.Value}
			if _, seen := t.owners[ok]; !seen {
				t.owners[ok] = ownerEntry{}
				byWorkspace[k.Workspace] = append(byWorkspace[k.Workspace], id.Kind, id.Value)
			}
		}
	}
	for ws, pairs := range byWorkspace {
		err := t.queryIn("identity_owners", []any{ws}, pairs, 2, func(rows *sql.Rows) error {
			var kind, value, row string
			var merged sql.NullString
			if err := rows.Scan(&kind, &value, &row, &merged); err != nil {
				return err
			}
			t.owners[ownerKey{ws, kind, value}] = ownerEntry{row: row, merged: merged.String}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("resolve profiles: %w", err)
		}
	}
	refs := map[string]*journey.ProfileRef{}
	out := make([]*journey.ProfileRef, len(keys))
	for i, k := range keys {
		var canonical, userID string
		for _, id := range k.IDs {
			row, c, err := t.Owner(k.Workspace, id)
			if err != nil {
				return nil, err
			}
			if row != "" {
				canonical = c
				if id.Kind == touchpoint.KindUserID {
					userID = id.Value
				}
				break
			}
		}
		if canonical == "" {
			continue
		}
		ref, ok := refs[canonical]
		if !ok {
			ref = &journey.ProfileRef{ID: canonical, UserID: userID}
			s, err := t.stmt("profile_group_ids")
			if err != nil {
				return nil, err
			}
			rows, err := s.QueryContext(t.ctx, sql.Named("id", canonical))
			if err != nil {
				return nil, fmt.Errorf("resolve profiles: %w", err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return nil, fmt.Errorf("resolve profiles: %w", err)
				}
				ref.Rows = append(ref.Rows, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
			if ref.UserID == "" {
				for _, row := range ref.Rows {
					r, err := t.row("profile_user_id", row)
					if err != nil {
						return nil, err
					}
					if err := r.Scan(&ref.UserID); err != nil && !errors.Is(err, sql.ErrNoRows) {
						return nil, fmt.Errorf("resolve profiles: %w", err)
					}
					if ref.UserID != "" {
						break
					}
				}
			}
			refs[canonical] = ref
		}
		out[i] = ref
	}
	return out, nil
}
