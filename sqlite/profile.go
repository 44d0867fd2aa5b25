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

	gojson "github.com/goccy/go-json"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/identity"
)

// ProfileKind is the identifier kind that names a profile by its id.
const ProfileKind = touchpoint.KindProfile

// FindProfile returns the profile holding id (or, for kind "profile", the
// profile with that id), with everything merged into it.
func (db *DB) FindProfile(ctx context.Context, workspace string, id touchpoint.Identifier) (*touchpoint.Profile, error) {
	tx, err := db.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("find profile: %w", err)
	}
	defer tx.Rollback()
	itx := newIdentityTx(db, tx, ctx)
	defer itx.close()

	row := id.Value
	if id.Kind != ProfileKind {
		if row, _, err = itx.Owner(workspace, id); err != nil {
			return nil, err
		}
		if row == "" {
			return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "no profile has %s", id)
		}
	}
	var p touchpoint.Profile
	var created string
	var mergedInto sql.NullString
	r, err := itx.row("profile_get", row, workspace)
	if err != nil {
		return nil, err
	}
	if err := r.Scan(&p.ID, &p.Workspace, &created, &mergedInto); errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "profile %q not found", row)
	} else if err != nil {
		return nil, fmt.Errorf("find profile: %w", err)
	}
	if mergedInto.Valid {
		// A merged profile reads as the profile it was merged into.
		canonical, err := itx.Canonical(row)
		if err != nil {
			return nil, err
		}
		r, err := itx.row("profile_get", canonical, workspace)
		if err != nil {
			return nil, err
		}
		if err := r.Scan(&p.ID, &p.Workspace, &created, &mergedInto); err != nil {
			return nil, fmt.Errorf("find profile: %w", err)
		}
	}
	if p.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if err := itx.compose(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// compose fills a canonical profile from its own row and every row merged
// into it: identifiers, traits by latest event, computed traits summed.
func (t *identityTx) compose(p *touchpoint.Profile) error {
	s, err := t.stmt("profile_group")
	if err != nil {
		return err
	}
	rows, err := s.QueryContext(t.ctx, sql.Named("id", p.ID))
	if err != nil {
		return fmt.Errorf("profile group: %w", err)
	}
	latest := map[string]identity.TraitValue{}
	var group []string
	for rows.Next() {
		var id, created, traits, computed string
		if err := rows.Scan(&id, &created, &traits, &computed); err != nil {
			rows.Close()
			return fmt.Errorf("profile group: %w", err)
		}
		st, err := decodeState(id, traits)
		if err != nil {
			rows.Close()
			return err
		}
		for k, v := range st.Traits {
			if cur, ok := latest[k]; !ok || v.At.After(cur.At) {
				latest[k] = v
			}
		}
		var c touchpoint.ComputedTraits
		if err := gojson.Unmarshal([]byte(computed), &c); err != nil {
			rows.Close()
			return fmt.Errorf("computed traits of %s: %w", id, err)
		}
		p.Computed.Add(&c)
		group = append(group, id)
		if id != p.ID {
			p.MergedFrom = append(p.MergedFrom, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// What identity resolution holds back while catching up counts too.
	t.db.pending.addTo(&p.Computed, group...)
	sort.Strings(p.MergedFrom)
	p.Traits = map[string]json.RawMessage{}
	for k, v := range latest {
		p.Traits[k] = v.Value
	}
	if !p.Computed.LastOrderAt.IsZero() {
		d := int(t.db.now().Sub(p.Computed.LastOrderAt).Hours() / 24)
		p.Computed.DaysSinceLastOrder = &d
	}

	as, err := t.stmt("profile_accounts")
	if err != nil {
		return err
	}
	arows, err := as.QueryContext(t.ctx, sql.Named("id", p.ID))
	if err != nil {
		return fmt.Errorf("profile accounts: %w", err)
	}
	p.Accounts = []touchpoint.ProfileAccount{}
	for arows.Next() {
		var a touchpoint.ProfileAccount
		var traits, updated, joined string
		if err := arows.Scan(&a.ID, &traits, &updated, &joined); err != nil {
			arows.Close()
			return fmt.Errorf("profile accounts: %w", err)
		}
		if err := json.Unmarshal([]byte(traits), &a.Traits); err != nil {
			arows.Close()
			return fmt.Errorf("account %s traits: %w", a.ID, err)
		}
		if a.JoinedAt, err = parseTime(joined); err != nil {
			arows.Close()
			return err
		}
		p.Accounts = append(p.Accounts, a)
	}
	arows.Close()
	if err := arows.Err(); err != nil {
		return fmt.Errorf("profile accounts: %w", err)
	}

	is, err := t.stmt("profile_group_identifiers")
	if err != nil {
		return err
	}
	irows, err := is.QueryContext(t.ctx, sql.Named("id", p.ID))
	if err != nil {
		return fmt.Errorf("profile identifiers: %w", err)
	}
	defer irows.Close()
	p.Identifiers = []touchpoint.ProfileIdentifier{}
	for irows.Next() {
		var pi touchpoint.ProfileIdentifier
		var first string
		if err := irows.Scan(&pi.Kind, &pi.Value, &first, &pi.EventID); err != nil {
			return fmt.Errorf("profile identifiers: %w", err)
		}
		if pi.FirstSeen, err = parseTime(first); err != nil {
			return err
		}
		p.Identifiers = append(p.Identifiers, pi)
	}
	return irows.Err()
}

// Merges lists the merges that involve a profile or any row merged into it.
func (db *DB) Merges(ctx context.Context, workspace, profileID string) ([]*touchpoint.Merge, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("merges_of_profile"), sql.Named("id", profileID))
	if err != nil {
		return nil, fmt.Errorf("merges: %w", err)
	}
	defer rows.Close()
	var out []*touchpoint.Merge
	for rows.Next() {
		m, err := scanMerge(rows)
		if err != nil {
			return nil, err
		}
		if m.Workspace == workspace {
			out = append(out, m)
		}
	}
	return out, rows.Err()
}

func scanMerge(s scanner) (*touchpoint.Merge, error) {
	var m touchpoint.Merge
	var ids, created string
	var undoneAt, undoneBy sql.NullString
	if err := s.Scan(&m.ID, &m.Workspace, &m.Winner, &m.Loser, &m.EventID, &m.Reason, &ids, &created, &undoneAt, &undoneBy); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ids), &m.Identifiers); err != nil {
		return nil, fmt.Errorf("merge identifiers: %w", err)
	}
	var err error
	if m.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if m.UndoneAt, err = parseNullTime(undoneAt); err != nil {
		return nil, err
	}
	m.UndoneBy = undoneBy.String
	return &m, nil
}

// Unmerge undoes a merge. The loser stands on its own again with the
// identifiers and history it had; the engine will not merge the two again.
func (db *DB) Unmerge(ctx context.Context, workspace, mergeID, by string) (*touchpoint.Merge, error) {
	db.identityMu.Lock()
	defer db.identityMu.Unlock()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("unmerge: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback()
			if db.index != nil {
				db.index.rollback()
			}
		}
	}()
	m, err := scanMerge(tx.QueryRowContext(ctx, db.query("merge_get"), mergeID, workspace))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "merge %q not found", mergeID)
	} else if err != nil {
		return nil, fmt.Errorf("unmerge: %w", err)
	}
	if m.UndoneAt != nil {
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "merge %q was already undone at %s", mergeID, m.UndoneAt.Format(time.RFC3339))
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, db.query("merge_undo"), formatTime(now), by, mergeID); err != nil {
		return nil, fmt.Errorf("unmerge: %w", err)
	}
	if _, err := tx.ExecContext(ctx, db.query("profile_unmerge"), m.Loser, m.Winner); err != nil {
		return nil, fmt.Errorf("unmerge: %w", err)
	}
	if err := db.recordUnmerge(ctx, tx, m); err != nil {
		return nil, fmt.Errorf("unmerge: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("unmerge: %w", err)
	}
	committed = true
	if x := db.index; x != nil {
		if n, ok := x.byID[m.Loser]; ok {
			x.setMerged(n, -1)
			x.commit()
		}
	}
	m.UndoneAt, m.UndoneBy = &now, by
	return m, nil
}

// CountProfiles counts the workspace's profiles, merged ones once.
func (db *DB) CountProfiles(ctx context.Context, workspace string) (int64, error) {
	var n int64
	if err := db.rdb.QueryRowContext(ctx, db.query("profile_count"), workspace).Scan(&n); err != nil {
		return 0, fmt.Errorf("count profiles: %w", err)
	}
	return n, nil
}

// SearchProfiles finds profiles by the start of an identifier (user id,
// email, phone, anonymous id) or by text in their traits. Each profile
// appears once, as the profile merged rows read as.
func (db *DB) SearchProfiles(ctx context.Context, workspace, q string, limit int) ([]*touchpoint.Profile, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, touchpoint.FieldError("q", "required: part of an identifier or a trait value")
	}
	if limit < 1 || limit > 100 {
		return nil, touchpoint.FieldError("limit", "must be between 1 and 100")
	}
	prefix := q
	if strings.Contains(q, "@") {
		prefix = strings.ToLower(q)
	}
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
	rows, err := db.rdb.QueryContext(ctx, db.query("profile_search"), sql.Named("workspace", workspace),
		sql.Named("prefix", prefix), sql.Named("q", like), sql.Named("limit", limit*4))
	if err != nil {
		return nil, fmt.Errorf("search profiles: %w", err)
	}
	var hits []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search profiles: %w", err)
		}
		hits = append(hits, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search profiles: %w", err)
	}
	out := []*touchpoint.Profile{}
	seen := map[string]bool{}
	for _, h := range hits {
		p, err := db.FindProfile(ctx, workspace, touchpoint.Identifier{Kind: ProfileKind, Value: h})
		if err != nil {
			return nil, err
		}
		if !seen[p.ID] {
			seen[p.ID] = true
			out = append(out, p)
		}
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// recordUnmerge notes, for the analytics store's copy of the identity map,
// that the loser's rows read as the loser again and that both profiles'
// traits changed. The identity index, if loaded, numbers the changes;
// otherwise they continue the stored sequence.
func (db *DB) recordUnmerge(ctx context.Context, tx *sql.Tx, m *touchpoint.Merge) error {
	var seq uint64
	next := func() uint64 { seq++; return seq }
	if db.index != nil {
		next = db.index.nextChange
	} else if err := tx.QueryRowContext(ctx, db.query("identity_change_last")).Scan(&seq); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, db.query("profile_group_rows"), sql.Named("id", m.Loser))
	if err != nil {
		return err
	}
	var group []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		group = append(group, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range group {
		if _, err := tx.ExecContext(ctx, db.query("identity_change_insert"), next(), m.Workspace, r, nil, nil, m.Loser, false); err != nil {
			return err
		}
	}
	var winner string
	if err := tx.QueryRowContext(ctx, db.query("profile_canonical"), m.Winner).Scan(&winner); err != nil {
		return err
	}
	for _, p := range []string{m.Loser, winner} {
		if _, err := tx.ExecContext(ctx, db.query("identity_change_insert"), next(), m.Workspace, p, nil, nil, p, true); err != nil {
			return err
		}
	}
	return nil
}

// FindAccount returns an account and up to limit of its members, as the
// profiles they read as now.
func (db *DB) FindAccount(ctx context.Context, workspace, id string, limit int) (*touchpoint.Account, error) {
	if limit < 1 || limit > 10000 {
		return nil, touchpoint.FieldError("limit", "must be between 1 and 10000")
	}
	a := touchpoint.Account{Workspace: workspace, Members: []string{}}
	var traits, updated string
	err := db.rdb.QueryRowContext(ctx, db.query("account_get"), workspace, id).Scan(&a.ID, &traits, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "account %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find account: %w", err)
	}
	if err := json.Unmarshal([]byte(traits), &a.Traits); err != nil {
		return nil, fmt.Errorf("account %s traits: %w", id, err)
	}
	if a.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("account_members"), workspace, id, limit)
	if err != nil {
		return nil, fmt.Errorf("account members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, fmt.Errorf("account members: %w", err)
		}
		a.Members = append(a.Members, m)
	}
	return &a, rows.Err()
}

// MergeRejections lists the merges the rules did not allow that named the
// profile or a row merged into it.
func (db *DB) MergeRejections(ctx context.Context, workspace, profileID string, limit int) ([]*touchpoint.MergeRejection, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("merge_rejections_of_profile"), sql.Named("id", profileID),
		sql.Named("workspace", workspace), sql.Named("limit", limit))
	if err != nil {
		return nil, fmt.Errorf("merge rejections: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.MergeRejection{}
	for rows.Next() {
		var r touchpoint.MergeRejection
		var profiles, ids, created string
		if err := rows.Scan(&r.ID, &r.Workspace, &r.EventID, &profiles, &ids, &r.Reason, &created); err != nil {
			return nil, fmt.Errorf("merge rejections: %w", err)
		}
		if err := json.Unmarshal([]byte(profiles), &r.Profiles); err != nil {
			return nil, fmt.Errorf("merge rejection profiles: %w", err)
		}
		if err := json.Unmarshal([]byte(ids), &r.Identifiers); err != nil {
			return nil, fmt.Errorf("merge rejection identifiers: %w", err)
		}
		if r.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// TraitHistory lists the values a profile's traits took, newest first.
func (db *DB) TraitHistory(ctx context.Context, workspace, profileID, key string, limit int) ([]touchpoint.TraitChange, error) {
	if limit < 1 || limit > touchpoint.MaxEventLimit {
		return nil, touchpoint.FieldError("limit", "must be between 1 and %d", touchpoint.MaxEventLimit)
	}
	var k any
	if key != "" {
		k = key
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("trait_history_of_profile"), sql.Named("id", profileID), sql.Named("key", k), sql.Named("limit", limit))
	if err != nil {
		return nil, fmt.Errorf("trait history: %w", err)
	}
	defer rows.Close()
	out := []touchpoint.TraitChange{}
	for rows.Next() {
		var c touchpoint.TraitChange
		var value, at string
		if err := rows.Scan(&c.Key, &value, &at, &c.EventID); err != nil {
			return nil, fmt.Errorf("trait history: %w", err)
		}
		c.Value = json.RawMessage(value)
		if c.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
