package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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

// UpdateIdentity runs fn in one write transaction. The first call loads
// the in-memory identity index the engine resolves against.
func (db *DB) UpdateIdentity(ctx context.Context, fn func(identity.Tx) error) error {
	db.identityMu.Lock()
	defer db.identityMu.Unlock()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin identity batch: %w", err)
	}
	// Statements run without cancellation: a batch that has begun is
	// finished, and a cancellable context would cost database/sql and the
	// driver a goroutine per statement.
	ctx = context.WithoutCancel(ctx)
	if db.index == nil {
		x := newIdentityIndex(db.StateCacheSize)
		if err := x.load(ctx, tx, db.query("identity_change_last")); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM identity_seen)`).Scan(&db.legacySeen); err != nil {
			tx.Rollback()
			return fmt.Errorf("load identity index: %w", err)
		}
		if db.seen, err = loadSeenFilter(ctx, tx); err != nil {
			tx.Rollback()
			return err
		}
		db.index = x
	}
	itx := newIdentityTx(db, tx, ctx)
	itx.idx = db.index
	err = fn(itx)
	flush := false
	if err == nil {
		if flush = db.pending.due(itx); flush {
			err = itx.flush(db.pending)
		}
	}
	itx.close()
	if err != nil {
		tx.Rollback()
		db.index.rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		db.index.rollback()
		return fmt.Errorf("commit identity batch: %w", err)
	}
	db.index.commit()
	if flush {
		db.pending.clear()
	} else {
		db.pending.hold(itx)
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

	// idx, in the engine's write transactions, answers identifier and
	// merge lookups from memory; readers leave it nil and ask SQLite.
	idx *identityIndex
	// traitsMarked holds the profiles whose traits change was recorded.
	traitsMarked map[ownerKey]bool
	buf          []byte

	// What the batch adds up to, the events it applied and its log
	// position, held back or written at the end (see pending.go).
	computed map[string]*touchpoint.ComputedTraits
	seen     map[seenKeyT]int64
	events   int
	seq      uint64
	hasSeq   bool
	settle   bool
}

func newIdentityTx(db *DB, tx *sql.Tx, ctx context.Context) *identityTx {
	return &identityTx{db: db, tx: tx, ctx: ctx, stmts: map[string]*sql.Stmt{}, owners: map[ownerKey]ownerEntry{}, mergedInto: map[string]string{},
		states: map[string]*identity.State{}, computed: map[string]*touchpoint.ComputedTraits{}, seen: map[seenKeyT]int64{}}
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

// rowsStmt prepares the statement named name with its {rows} written out
// as rows parameter groups of width values, once per transaction for each
// size: a flush or a bulk lookup runs the full-size one many times.
func (t *identityTx) rowsStmt(name string, rows, width int) (*sql.Stmt, error) {
	key := name + "#" + strconv.Itoa(rows)
	if s, ok := t.stmts[key]; ok {
		return s, nil
	}
	s, err := t.tx.PrepareContext(t.ctx, expandRows(t.db.query(name), rows, width))
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	t.stmts[key] = s
	return s, nil
}

// execRows runs the statement named name for args taken width values a
// row, at most chunk rows a statement.
func (t *identityTx) execRows(name string, width, chunk int, args []any) error {
	per := chunk * width
	for start := 0; start < len(args); start += per {
		part := args[start:min(len(args), start+per)]
		s, err := t.rowsStmt(name, len(part)/width, width)
		if err != nil {
			return err
		}
		if _, err := s.ExecContext(t.ctx, part...); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func (t *identityTx) close() {
	for _, s := range t.stmts {
		s.Close()
	}
}

// Applied notes the batch's log position; the store writes it with what
// the batch held back (see pending.go).
func (t *identityTx) Applied(seq uint64, settle bool) error {
	t.seq, t.hasSeq, t.settle = seq, true, settle
	return nil
}

// AddComputed takes over what a batch's events add up to, by profile row.
func (t *identityTx) AddComputed(deltas map[string]*touchpoint.ComputedTraits) error {
	if len(t.computed) == 0 {
		t.computed = deltas
		return nil
	}
	for row, d := range deltas {
		if cur, ok := t.computed[row]; ok {
			cur.Add(d)
		} else {
			t.computed[row] = d
		}
	}
	return nil
}

func (t *identityTx) FirstTime(workspace string, eventIDs []string) ([]bool, error) {
	if t.idx == nil {
		return nil, errors.New("seen events: outside an identity batch")
	}
	var legacy map[string]bool
	if t.db.legacySeen {
		legacy = map[string]bool{}
		err := t.queryIn("identity_seen_any", []any{workspace}, anys(eventIDs), 1, func(rows *sql.Rows) error {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			legacy[id] = true
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("seen events: %w", err)
		}
	}
	keys := make([]seenKeyT, len(eventIDs))
	// The filter holds every key stored or held back: only the keys it
	// may hold are looked for.
	may := make([]bool, len(eventIDs))
	var lookup []any
	for i, id := range eventIDs {
		h1, h2 := seenKey(workspace, id)
		keys[i] = seenKeyT{h1, h2}
		if may[i] = t.db.seen.mayHave(keys[i]); may[i] {
			lookup = append(lookup, h1, h2)
		}
	}
	stored := map[seenKeyT]bool{}
	err := t.queryIn("identity_seen_keys_any", nil, lookup, 2, func(rows *sql.Rows) error {
		var k seenKeyT
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return err
		}
		stored[k] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seen events: %w", err)
	}
	day := t.db.now().Unix() / 86400
	out := make([]bool, len(eventIDs))
	for i, k := range keys {
		if legacy[eventIDs[i]] || may[i] && (stored[k] || t.db.pending.hasSeen(k)) {
			continue
		}
		if _, dup := t.seen[k]; dup {
			continue
		}
		t.seen[k] = day
		t.db.seen.add(k)
		t.events++
		out[i] = true
	}
	return out, nil
}

// seenKey hashes an event's identity to the two integers identity_seen_keys
// is keyed by.
func seenKey(workspace, id string) (int64, int64) {
	h := sha256.New()
	h.Write([]byte(workspace))
	h.Write([]byte{0})
	h.Write([]byte(id))
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return int64(binary.LittleEndian.Uint64(sum[:8])), int64(binary.LittleEndian.Uint64(sum[8:16]))
}

// SeenRetention is how long identity resolution remembers an event id: a
// messageId sent again within it is applied once.
const SeenRetention = 35 * 24 * time.Hour

// pruneSeen forgets event ids older than SeenRetention, at most once a day.
func (t *identityTx) pruneSeen() error {
	day := t.db.now().Unix() / 86400
	if t.db.prunedDay == day {
		return nil
	}
	if _, err := t.exec("identity_seen_key_prune", day-int64(SeenRetention/(24*time.Hour))); err != nil {
		return err
	}
	// A filter holding more keys than it was sized for answers "maybe"
	// too often; the pruned table sizes a new one. Keys held back are not
	// in the table yet (they are written before the prune, in flush).
	if t.db.seen.full() {
		f, err := loadSeenFilter(t.ctx, t.tx)
		if err != nil {
			return err
		}
		t.db.seen = f
	}
	t.db.prunedDay = day
	return nil
}

// queryIn runs a query over many values, a few hundred at a time: its
// text says {rows} where they go. lead are the arguments before them; width
// is how many values make one item (2 for (kind, value) pairs).
func (t *identityTx) queryIn(name string, lead, values []any, width int, scan func(*sql.Rows) error) error {
	for start := 0; start < len(values); start += prefetchChunk * width {
		chunk := values[start:min(len(values), start+prefetchChunk*width)]
		s, err := t.rowsStmt(name, len(chunk)/width, width)
		if err != nil {
			return err
		}
		rows, err := s.QueryContext(t.ctx, append(append([]any{}, lead...), chunk...)...)
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

// expandRows writes out the {rows} of query q as rows parameter groups of
// width values each, comma separated: "?, ?" when width is 1,
// "(?, ?), (?, ?)" when it is 2.
func expandRows(q string, rows, width int) string {
	group := "?"
	if width > 1 {
		group = "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	}
	groups := strings.TrimSuffix(strings.Repeat(group+", ", rows), ", ")
	return strings.Replace(q, "{rows}", groups, 1)
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
	if t.idx == nil {
		return errors.New("prefetch: outside an identity batch")
	}
	var rowids []any
	for _, id := range ids {
		n := t.idx.owner(workspace, id.Kind, id.Value)
		if n < 0 {
			continue
		}
		r := t.idx.rows[n]
		if _, ok := t.states[r.id]; !ok {
			if st := t.idx.states.get(n); st != nil {
				t.states[r.id] = st
				continue
			}
			t.states[r.id] = nil
			rowids = append(rowids, r.rowid)
		}
	}
	return t.loadStates(rowids)
}

// loadStates reads the traits of many profile rows by rowid.
func (t *identityTx) loadStates(rowids []any) error {
	err := t.queryIn("profile_traits_by_rowid", nil, rowids, 1, func(r *sql.Rows) error {
		var id, traits string
		if err := r.Scan(&id, &traits); err != nil {
			return err
		}
		st, err := decodeState(id, traits)
		if err != nil {
			return err
		}
		t.states[id] = st
		if n, ok := t.idx.byID[id]; ok {
			t.idx.states.put(n, st)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("profile states: %w", err)
	}
	return nil
}

func (t *identityTx) Owner(workspace string, id touchpoint.Identifier) (string, string, error) {
	if t.idx != nil {
		if id.Kind == touchpoint.KindProfile {
			// A platform event names its profile by id.
			n, ok := t.idx.byID[id.Value]
			if !ok || t.idx.rows[n].workspace != workspace {
				return "", "", nil
			}
			return id.Value, t.idx.rows[t.idx.canonical(n)].id, nil
		}
		n := t.idx.owner(workspace, id.Kind, id.Value)
		if n < 0 {
			return "", "", nil
		}
		return t.idx.rows[n].id, t.idx.rows[t.idx.canonical(n)].id, nil
	}
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
	if t.idx != nil {
		if n, ok := t.idx.byID[profileID]; ok {
			return t.idx.rows[t.idx.canonical(n)].id, nil
		}
	}
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
	if t.idx != nil {
		if n, ok := t.idx.byID[canonical]; ok {
			var out []touchpoint.Identifier
			for _, r := range t.idx.group(n, nil) {
				for _, id := range t.idx.rows[r].idents {
					out = append(out, touchpoint.Identifier{Kind: id.kind, Value: id.value})
				}
			}
			return out, nil
		}
	}
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
	id := sortableID("prf_", t.db.clock.Now())
	res, err := t.exec("profile_create", id, workspace, formatTime(at))
	if err != nil {
		return "", err
	}
	if t.idx != nil {
		rowid, err := res.LastInsertId()
		if err != nil {
			return "", fmt.Errorf("create profile: %w", err)
		}
		n := t.idx.addRow(id, workspace, rowid)
		// A new profile has no state to read.
		st := &identity.State{ProfileID: id}
		t.states[id] = st
		t.idx.states.put(n, st)
	}
	return id, nil
}

func (t *identityTx) Attach(workspace string, id touchpoint.Identifier, profileID, eventID string, at time.Time) error {
	if _, err := t.exec("identity_attach", workspace, id.Kind, id.Value, profileID, formatTime(at), eventID); err != nil {
		return err
	}
	if t.idx == nil {
		t.owners[ownerKey{workspace, id.Kind, id.Value}] = ownerEntry{row: profileID}
	} else {
		if n, ok := t.idx.byID[profileID]; ok {
			t.idx.attach(workspace, id.Kind, id.Value, n)
			if id.Kind == touchpoint.KindUserID || id.Kind == touchpoint.KindAnonymousID {
				return t.recordChange(workspace, profileID, &id, t.idx.rows[t.idx.canonical(n)].id)
			}
		}
	}
	return nil
}

// recordChange notes, for the analytics store's copy of the identity map,
// that an identifier joined row (ident set) or that row reads as profile.
func (t *identityTx) recordChange(workspace, row string, ident *touchpoint.Identifier, profile string) error {
	var kind, value any
	if ident != nil {
		kind, value = ident.Kind, ident.Value
	}
	_, err := t.exec("identity_change_insert", t.idx.nextChange(), workspace, row, kind, value, profile, false)
	return err
}

// markTraits notes that a profile's composed traits changed, once per
// profile and batch.
func (t *identityTx) markTraits(workspace, profile string) error {
	k := ownerKey{workspace: workspace, value: profile}
	if t.traitsMarked[k] {
		return nil
	}
	if t.traitsMarked == nil {
		t.traitsMarked = map[ownerKey]bool{}
	}
	t.traitsMarked[k] = true
	_, err := t.exec("identity_change_insert", t.idx.nextChange(), workspace, profile, nil, nil, profile, true)
	return err
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
	if t.idx != nil {
		l, ok1 := t.idx.byID[m.Loser]
		w, ok2 := t.idx.byID[m.Winner]
		if ok1 && ok2 {
			t.idx.setMerged(l, w)
			// Every row that read as the loser now reads as the winner.
			canonical := t.idx.rows[t.idx.canonical(w)].id
			for _, r := range t.idx.group(l, nil) {
				if err := t.recordChange(m.Workspace, t.idx.rows[r].id, nil, canonical); err != nil {
					return err
				}
			}
			if err := t.markTraits(m.Workspace, canonical); err != nil {
				return err
			}
			return t.markTraits(m.Workspace, m.Loser)
		}
	}
	return nil
}

func (t *identityTx) RejectMerge(r *touchpoint.MergeRejection) error {
	profiles, _ := json.Marshal(r.Profiles)
	ids, _ := json.Marshal(r.Identifiers)
	res, err := t.exec("merge_reject", r.Workspace, r.EventID, string(profiles), string(ids), r.Reason, formatTime(r.CreatedAt))
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("reject merge: %w", err)
	}
	for _, p := range r.Profiles {
		if _, err := t.exec("merge_reject_profile", id, p); err != nil {
			return err
		}
	}
	return nil
}

func (t *identityTx) State(profileID string) (*identity.State, error) {
	if st := t.states[profileID]; st != nil {
		return st, nil
	}
	n, ok := t.idx.byID[profileID]
	if !ok {
		return nil, fmt.Errorf("profile state %s: no such profile", profileID)
	}
	if st := t.idx.states.get(n); st != nil {
		t.states[profileID] = st
		return st, nil
	}
	if err := t.loadStates([]any{t.idx.rows[n].rowid}); err != nil {
		return nil, err
	}
	if st := t.states[profileID]; st != nil {
		return st, nil
	}
	return nil, fmt.Errorf("profile state %s: not found", profileID)
}

// decodeState reads a profile row's stored traits.
func decodeState(profileID, traits string) (*identity.State, error) {
	s := &identity.State{ProfileID: profileID}
	// go-json is safe here: these documents were written by SaveState.
	if err := gojson.Unmarshal([]byte(traits), &s.Traits); err != nil {
		return nil, fmt.Errorf("profile traits %s: %w", profileID, err)
	}
	return s, nil
}

// SaveState writes a row's traits and notes the change for analytics.
func (t *identityTx) SaveState(s *identity.State) error {
	n, ok := t.idx.byID[s.ProfileID]
	if !ok {
		return fmt.Errorf("save traits: no profile %s", s.ProfileID)
	}
	r := t.idx.rows[n]
	if err := t.markTraits(r.workspace, t.idx.rows[t.idx.canonical(n)].id); err != nil {
		return err
	}
	traits, err := gojson.Marshal(s.Traits)
	if err != nil {
		return fmt.Errorf("encode traits: %w", err)
	}
	if s.Traits == nil {
		traits = []byte("{}")
	}
	_, err = t.exec("profile_save_traits_by_rowid", string(traits), r.rowid)
	s.TraitsChanged = false
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

// IdentityChanges returns up to limit identity changes after seq, in order.
func (db *DB) IdentityChanges(ctx context.Context, after uint64, limit int) ([]identity.Change, error) {
	var out []identity.Change
	rows, err := db.rdb.QueryContext(ctx, db.query("identity_changes_after"), after, limit)
	if err != nil {
		return nil, fmt.Errorf("identity changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c identity.Change
		var kind, value sql.NullString
		if err := rows.Scan(&c.Seq, &c.Workspace, &c.Row, &kind, &value, &c.Profile, &c.Traits); err != nil {
			return nil, fmt.Errorf("identity changes: %w", err)
		}
		if kind.Valid {
			c.Identifier = &touchpoint.Identifier{Kind: kind.String, Value: value.String}
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("identity changes: %w", err)
	}
	return out, nil
}

// LastIdentityChange is the sequence of the newest identity change.
func (db *DB) LastIdentityChange(ctx context.Context) (uint64, error) {
	var seq uint64
	if err := db.rdb.QueryRowContext(ctx, db.query("identity_change_last")).Scan(&seq); err != nil {
		return 0, fmt.Errorf("last identity change: %w", err)
	}
	return seq, nil
}

// ComposedTraits returns the traits of canonical profiles as a profile read
// composes them. Profiles merged into others, or unknown, are left out.
func (db *DB) ComposedTraits(ctx context.Context, workspace string, profiles []string) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	tx, err := db.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("composed traits: %w", err)
	}
	defer tx.Rollback()
	itx := newIdentityTx(db, tx, ctx)
	defer itx.close()
	var grouped []string
	err = itx.queryIn("profile_rows_traits", []any{workspace}, anys(profiles), 1, func(rows *sql.Rows) error {
		var id, traits string
		var merged sql.NullString
		var hasMerged bool
		if err := rows.Scan(&id, &merged, &traits, &hasMerged); err != nil {
			return err
		}
		switch {
		case merged.Valid:
		case hasMerged:
			grouped = append(grouped, id)
		default:
			var tv map[string]identity.TraitValue
			if err := gojson.Unmarshal([]byte(traits), &tv); err != nil {
				return fmt.Errorf("profile traits %s: %w", id, err)
			}
			out[id] = composeTraits(map[string]identity.TraitValue{}, tv)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("composed traits: %w", err)
	}
	for _, id := range grouped {
		p := touchpoint.Profile{ID: id}
		if err := itx.compose(&p); err != nil {
			return nil, err
		}
		b, err := json.Marshal(p.Traits)
		if err != nil {
			return nil, fmt.Errorf("composed traits: %w", err)
		}
		out[id] = b
	}
	return out, nil
}

// composeTraits folds a row's traits into latest (newest value of each
// trait wins) and returns the values as one JSON object.
func composeTraits(latest, row map[string]identity.TraitValue) json.RawMessage {
	for k, v := range row {
		if cur, ok := latest[k]; !ok || v.At.After(cur.At) {
			latest[k] = v
		}
	}
	values := make(map[string]json.RawMessage, len(latest))
	for k, v := range latest {
		values[k] = v.Value
	}
	b, _ := json.Marshal(values)
	return b
}
