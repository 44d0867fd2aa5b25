package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/identity"
)

// IdentityCheckpoint is the last log sequence the identity engine applied.
func (db *DB) IdentityCheckpoint(ctx context.Context) (uint64, error) {
	var seq uint64
	if err := db.rdb.QueryRowContext(ctx, db.query("checkpoint"), identity.ConsumerName).Scan(&seq); err != nil {
		return 0, fmt.Errorf("identity checkpoint: %w", err)
	}
	return seq, nil
}

// UpdateIdentity runs fn in one write transaction.
func (db *DB) UpdateIdentity(ctx context.Context, fn func(identity.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin identity batch: %w", err)
	}
	// Statements run without cancellation: a batch that has begun is
	// finished, and a cancellable context would cost database/sql and the
	// driver a goroutine per statement.
	itx := newIdentityTx(db, tx, context.WithoutCancel(ctx))
	err = fn(itx)
	itx.close()
	if err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit identity batch: %w", err)
	}
	return nil
}

// identityTx prepares each statement once per transaction: a batch runs
// the same few statements thousands of times.
type identityTx struct {
	db    *DB
	tx    *sql.Tx
	ctx   context.Context
	stmts map[string]*sql.Stmt

	// owners caches identifier lookups for the transaction ("" row = none),
	// kept true by Attach; mergedInto caches rows merged in it.
	owners     map[ownerKey]ownerEntry
	mergedInto map[string]string
	// states holds profile states read ahead by Prefetch.
	states map[string]*identity.State
}

func newIdentityTx(db *DB, tx *sql.Tx, ctx context.Context) *identityTx {
	return &identityTx{db: db, tx: tx, ctx: ctx, stmts: map[string]*sql.Stmt{}, owners: map[ownerKey]ownerEntry{}, mergedInto: map[string]string{}, states: map[string]*identity.State{}}
}

type ownerKey struct{ workspace, kind, value string }

type ownerEntry struct {
	row    string
	merged string
}

func (t *identityTx) stmt(name string) (*sql.Stmt, error) {
	if s, ok := t.stmts[name]; ok {
		return s, nil
	}
	s, err := t.tx.PrepareContext(t.ctx, t.db.query(name))
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	t.stmts[name] = s
	return s, nil
}

func (t *identityTx) exec(name string, args ...any) (sql.Result, error) {
	s, err := t.stmt(name)
	if err != nil {
		return nil, err
	}
	res, err := s.ExecContext(t.ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}

func (t *identityTx) row(name string, args ...any) (*sql.Row, error) {
	s, err := t.stmt(name)
	if err != nil {
		return nil, err
	}
	return s.QueryRowContext(t.ctx, args...), nil
}

func (t *identityTx) close() {
	for _, s := range t.stmts {
		s.Close()
	}
}

func (t *identityTx) SaveCheckpoint(seq uint64) error {
	_, err := t.exec("save_checkpoint", identity.ConsumerName, seq, formatTime(t.db.now()))
	return err
}

func (t *identityTx) FirstTime(workspace string, eventIDs []string) ([]bool, error) {
	seen := map[string]bool{}
	err := t.queryIn("identity_seen_any", []any{workspace}, anys(eventIDs), 1, func(rows *sql.Rows) error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		seen[id] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seen events: %w", err)
	}
	out := make([]bool, len(eventIDs))
	for i, id := range eventIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		out[i] = true
		if _, err := t.exec("identity_seen", workspace, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// queryIn runs a query whose text ends in "IN" over many values, a few
// hundred at a time. lead are the arguments before the list; width is how
// many values make one item (2 for (kind, value) pairs, given as VALUES rows).
func (t *identityTx) queryIn(name string, lead, values []any, width int, scan func(*sql.Rows) error) error {
	for start := 0; start < len(values); start += prefetchChunk * width {
		chunk := values[start:min(len(values), start+prefetchChunk*width)]
		var q strings.Builder
		q.WriteString(t.db.query(name))
		q.WriteString(" (")
		if width > 1 {
			q.WriteString("VALUES ")
		}
		for i := 0; i < len(chunk)/width; i++ {
			if i > 0 {
				q.WriteString(", ")
			}
			if width == 2 {
				q.WriteString("(?, ?)")
			} else {
				q.WriteByte('?')
			}
		}
		q.WriteByte(')')
		rows, err := t.tx.QueryContext(t.ctx, q.String(), append(append([]any{}, lead...), chunk...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// prefetchChunk is how many identifiers one lookup query carries (SQLite
// allows 32766 parameters).
const prefetchChunk = 400

func (t *identityTx) Prefetch(workspace string, ids []touchpoint.Identifier) error {
	var todo []touchpoint.Identifier
	for _, id := range ids {
		k := ownerKey{workspace, id.Kind, id.Value}
		if _, ok := t.owners[k]; !ok {
			t.owners[k] = ownerEntry{}
			todo = append(todo, id)
		}
	}
	pairs := make([]any, 0, 2*len(todo))
	for _, id := range todo {
		pairs = append(pairs, id.Kind, id.Value)
	}
	err := t.queryIn("identity_owners", []any{workspace}, pairs, 2, func(rows *sql.Rows) error {
		var kind, value, row string
		var merged sql.NullString
		if err := rows.Scan(&kind, &value, &row, &merged); err != nil {
			return err
		}
		t.owners[ownerKey{workspace, kind, value}] = ownerEntry{row: row, merged: merged.String}
		return nil
	})
	if err != nil {
		return fmt.Errorf("identity owners: %w", err)
	}
	return t.prefetchStates()
}

// prefetchStates loads the state of every profile row the owner cache
// names and that is not loaded yet.
func (t *identityTx) prefetchStates() error {
	var rows []string
	for _, e := range t.owners {
		if e.row != "" {
			if _, ok := t.states[e.row]; !ok {
				t.states[e.row] = nil
				rows = append(rows, e.row)
			}
		}
	}
	err := t.queryIn("profile_states", nil, anys(rows), 1, func(r *sql.Rows) error {
		var id, traits, computed string
		if err := r.Scan(&id, &traits, &computed); err != nil {
			return err
		}
		st, err := decodeState(id, traits, computed)
		if err != nil {
			return err
		}
		t.states[id] = st
		return nil
	})
	if err != nil {
		return fmt.Errorf("profile states: %w", err)
	}
	return nil
}

func (t *identityTx) Owner(workspace string, id touchpoint.Identifier) (string, string, error) {
	k := ownerKey{workspace, id.Kind, id.Value}
	e, ok := t.owners[k]
	if !ok {
		r, err := t.row("identity_owner", workspace, id.Kind, id.Value)
		if err != nil {
			return "", "", err
		}
		var merged sql.NullString
		if err := r.Scan(&e.row, &merged); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", "", fmt.Errorf("identity owner: %w", err)
		}
		e.merged = merged.String
		t.owners[k] = e
	}
	if e.row == "" {
		return "", "", nil
	}
	merged := e.merged
	if m, ok := t.mergedInto[e.row]; ok {
		merged = m
	}
	if merged == "" {
		return e.row, e.row, nil
	}
	c, err := t.Canonical(merged)
	return e.row, c, err
}

func (t *identityTx) Canonical(profileID string) (string, error) {
	for range 1000 {
		if m, ok := t.mergedInto[profileID]; ok {
			profileID = m
			continue
		}
		r, err := t.row("profile_merged_into", profileID)
		if err != nil {
			return "", err
		}
		var next sql.NullString
		if err := r.Scan(&next); err != nil {
			return "", fmt.Errorf("canonical profile of %s: %w", profileID, err)
		}
		if !next.Valid {
			return profileID, nil
		}
		profileID = next.String
	}
	return "", fmt.Errorf("canonical profile of %s: merge chain too long", profileID)
}

func (t *identityTx) Identifiers(canonical string) ([]touchpoint.Identifier, error) {
	s, err := t.stmt("profile_group_identifiers")
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(t.ctx, sql.Named("id", canonical))
	if err != nil {
		return nil, fmt.Errorf("profile identifiers: %w", err)
	}
	defer rows.Close()
	var out []touchpoint.Identifier
	for rows.Next() {
		var id touchpoint.Identifier
		var first, event string
		if err := rows.Scan(&id.Kind, &id.Value, &first, &event); err != nil {
			return nil, fmt.Errorf("profile identifiers: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (t *identityTx) CreateProfile(workspace string, at time.Time) (string, error) {
	id := randomID("prf_", 20)
	_, err := t.exec("profile_create", id, workspace, formatTime(at))
	return id, err
}

func (t *identityTx) Attach(workspace string, id touchpoint.Identifier, profileID, eventID string, at time.Time) error {
	if _, err := t.exec("identity_attach", workspace, id.Kind, id.Value, profileID, formatTime(at), eventID); err != nil {
		return err
	}
	t.owners[ownerKey{workspace, id.Kind, id.Value}] = ownerEntry{row: profileID}
	return nil
}

func (t *identityTx) UndoneMerge(a, b string) (bool, error) {
	r, err := t.row("merge_undone_between", a, b, b, a)
	if err != nil {
		return false, err
	}
	var n int
	if err := r.Scan(&n); err != nil {
		return false, fmt.Errorf("undone merges: %w", err)
	}
	return n > 0, nil
}

func (t *identityTx) Merge(m *touchpoint.Merge) error {
	m.ID = randomID("mrg_", 20)
	ids, _ := json.Marshal(m.Identifiers)
	if _, err := t.exec("merge_insert", m.ID, m.Workspace, m.Winner, m.Loser, m.EventID, m.Reason, string(ids), formatTime(m.CreatedAt)); err != nil {
		return err
	}
	if _, err := t.exec("profile_set_merged_into", m.Winner, m.Loser); err != nil {
		return err
	}
	t.mergedInto[m.Loser] = m.Winner
	return nil
}

func (t *identityTx) RejectMerge(r *touchpoint.MergeRejection) error {
	profiles, _ := json.Marshal(r.Profiles)
	ids, _ := json.Marshal(r.Identifiers)
	_, err := t.exec("merge_reject", r.Workspace, r.EventID, string(profiles), string(ids), r.Reason, formatTime(r.CreatedAt))
	return err
}

func (t *identityTx) State(profileID string) (*identity.State, error) {
	if st := t.states[profileID]; st != nil {
		return st, nil
	}
	r, err := t.row("profile_state", profileID)
	if err != nil {
		return nil, err
	}
	var traits, computed string
	if err := r.Scan(&traits, &computed); err != nil {
		return nil, fmt.Errorf("profile state %s: %w", profileID, err)
	}
	return decodeState(profileID, traits, computed)
}

func decodeState(profileID, traits, computed string) (*identity.State, error) {
	s := &identity.State{ProfileID: profileID}
	// go-json is safe here: these documents were written by SaveState.
	if err := gojson.Unmarshal([]byte(traits), &s.Traits); err != nil {
		return nil, fmt.Errorf("profile traits %s: %w", profileID, err)
	}
	if err := gojson.Unmarshal([]byte(computed), &s.Computed); err != nil {
		return nil, fmt.Errorf("profile computed traits %s: %w", profileID, err)
	}
	return s, nil
}

func (t *identityTx) SaveState(s *identity.State) error {
	traits, err := gojson.Marshal(s.Traits)
	if err != nil {
		return fmt.Errorf("encode traits: %w", err)
	}
	if s.Traits == nil {
		traits = []byte("{}")
	}
	computed, err := gojson.Marshal(s.Computed)
	if err != nil {
		return fmt.Errorf("encode computed traits: %w", err)
	}
	_, err = t.exec("profile_save_state", string(traits), string(computed), s.ProfileID)
	return err
}

func (t *identityTx) TraitChanged(profileID, key string, value json.RawMessage, at time.Time, eventID string) error {
	_, err := t.exec("trait_history_insert", profileID, key, string(value), formatTime(at), eventID)
	return err
}

func (t *identityTx) JoinAccount(profileID, workspace, groupID string, traits json.RawMessage, at time.Time) error {
	if len(traits) == 0 {
		traits = json.RawMessage("{}")
	}
	if _, err := t.exec("account_upsert", workspace, groupID, string(traits), formatTime(at)); err != nil {
		return err
	}
	_, err := t.exec("account_member_insert", profileID, workspace, groupID, formatTime(at))
	return err
}

// IdentityRules returns a workspace's merge rules, the defaults if none
// were set.
func (db *DB) IdentityRules(ctx context.Context, workspace string) (touchpoint.IdentityRules, error) {
	var raw string
	err := db.rdb.QueryRowContext(ctx, db.query("identity_rules_get"), workspace).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return touchpoint.DefaultIdentityRules(), nil
	} else if err != nil {
		return touchpoint.IdentityRules{}, fmt.Errorf("identity rules: %w", err)
	}
	var r touchpoint.IdentityRules
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, fmt.Errorf("identity rules: %w", err)
	}
	return r, nil
}

// SetIdentityRules stores a workspace's merge rules. They apply to events
// resolved from then on; existing profiles are not re-resolved.
func (db *DB) SetIdentityRules(ctx context.Context, workspace string, r touchpoint.IdentityRules) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if _, err := db.FindWorkspace(ctx, workspace); err != nil {
		return err
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("identity rules: %w", err)
	}
	if _, err := db.db.ExecContext(ctx, db.query("identity_rules_set"), workspace, string(raw), formatTime(db.now())); err != nil {
		return fmt.Errorf("identity rules: %w", err)
	}
	return nil
}
