package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/identity"
)

// While identity resolution catches up with the log, the computed traits
// its batches add up to, the ids of the events it applied and its log
// position are held back here and written together, in sorted order, when
// the log goes quiet or enough has gathered. Writing them per batch would
// touch a page of profile_computed and one of the seen-event index per
// event; held back, each page is written once per flush. A crash loses
// nothing: the stored position still points before the held-back batches,
// which are applied again (their identifiers, merges and traits were
// written with each batch and applying them again changes nothing).
//
// Profile reads add the held-back computed traits, so profiles stay live.
const (
	pendingMaxEvents = 600_000
	pendingMaxAge    = 10 * time.Second
)

// flushChunk is how many rows one statement of a flush writes.
const flushChunk = 400

type pendingIdentity struct {
	mu sync.Mutex // readers take it; writers also hold DB.identityMu
	// held is what each held-back batch added up to, oldest first, as the
	// batch left it: never changed once held.
	held   []heldBatch
	events int
	since  time.Time
	// seq is the log position applied; stored is false while it is held.
	seq    uint64
	stored bool
}

// heldBatch is one committed batch's computed traits by profile row, and
// the hashed ids of the events it applied with their day. Batches are kept
// apart rather than summed as they come: summing cost every event a lookup
// in a large map, and the flush adds them up in key order anyway.
type heldBatch struct {
	computed map[string]*touchpoint.ComputedTraits
	seen     map[seenKeyT]int64
}

type seenKeyT [2]int64

func newPendingIdentity() *pendingIdentity {
	return &pendingIdentity{stored: true}
}

// addTo adds the held-back computed traits of rows to c.
func (p *pendingIdentity) addTo(c *touchpoint.ComputedTraits, rows ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.held {
		for _, r := range rows {
			if d, ok := b.computed[r]; ok {
				c.Add(d)
			}
		}
	}
}

func (p *pendingIdentity) hasSeen(k seenKeyT) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.held {
		if _, ok := b.seen[k]; ok {
			return true
		}
	}
	return false
}

// hold takes in what a committed transaction held back.
func (p *pendingIdentity) hold(t *identityTx) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.events == 0 {
		p.since = time.Now()
	}
	p.held = append(p.held, heldBatch{computed: t.computed, seen: t.seen})
	p.events += t.events
	if t.hasSeq {
		p.seq, p.stored = t.seq, false
	}
}

// clear forgets what a committed flush wrote.
func (p *pendingIdentity) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.held = nil
	p.events, p.stored = 0, true
}

// due reports whether held-back work should be written now.
func (p *pendingIdentity) due(t *identityTx) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return t.settle || p.events+t.events >= pendingMaxEvents || (p.events > 0 && time.Since(p.since) >= pendingMaxAge)
}

// flush writes the held-back work and the transaction's own in one go: event
// ids in key order, computed traits in row order, then the log position.
// It leaves p as it is; the caller clears it once the transaction commits.
func (t *identityTx) flush(p *pendingIdentity) error {
	p.mu.Lock()
	batches := append(append(make([]heldBatch, 0, len(p.held)+1), p.held...), heldBatch{computed: t.computed, seen: t.seen})
	seq, stored := p.seq, p.stored
	p.mu.Unlock()
	if t.hasSeq {
		seq, stored = t.seq, false
	}

	// An event id is in one batch only: FirstTime lets no id in twice.
	type seenRow struct {
		key seenKeyT
		day int64
	}
	var keys []seenRow
	var deltas []computedDelta
	for _, b := range batches {
		for k, day := range b.seen {
			keys = append(keys, seenRow{k, day})
		}
		for row, d := range b.computed {
			deltas = append(deltas, computedDelta{row, d})
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i].key, keys[j].key
		return a[0] < b[0] || a[0] == b[0] && a[1] < b[1]
	})
	args := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		args = append(args, k.key[0], k.key[1], k.day)
	}
	if err := t.execRows("identity_seen_keys_insert", 3, flushChunk, args); err != nil {
		return err
	}
	if err := t.flushComputed(deltas); err != nil {
		return err
	}
	if !stored {
		if _, err := t.exec("save_checkpoint", identity.ConsumerName, seq, formatTime(t.db.now())); err != nil {
			return err
		}
	}
	return t.pruneSeen()
}

// computedDelta is what one batch added to a profile row's computed traits.
type computedDelta struct {
	row string
	d   *touchpoint.ComputedTraits
}

// flushComputed adds deltas to the stored computed traits of their profile
// rows, reading and writing them in key order. Rows that have none yet are
// inserted, many a statement.
func (t *identityTx) flushComputed(deltas []computedDelta) error {
	// Sorted, each row's deltas are adjacent; rows holds where each starts.
	sort.Slice(deltas, func(i, j int) bool { return deltas[i].row < deltas[j].row })
	var rows []int
	for i := range deltas {
		if i == 0 || deltas[i].row != deltas[i-1].row {
			rows = append(rows, i)
		}
	}
	rows = append(rows, len(deltas))
	var inserts []any
	for start := 0; start < len(rows)-1; start += flushChunk {
		part := rows[start:min(len(rows), start+flushChunk+1)]
		ids := make([]any, len(part)-1)
		for i := range ids {
			ids[i] = deltas[part[i]].row
		}
		base := make(map[string]*touchpoint.ComputedTraits, len(ids))
		err := t.queryIn("profile_computed_of", nil, ids, 1, func(r *sql.Rows) error {
			var id, computed string
			if err := r.Scan(&id, &computed); err != nil {
				return err
			}
			var c touchpoint.ComputedTraits
			// go-json is safe here: these documents were written by us.
			if err := gojson.Unmarshal([]byte(computed), &c); err != nil {
				return fmt.Errorf("computed traits of %s: %w", id, err)
			}
			base[id] = &c
			return nil
		})
		if err != nil {
			return fmt.Errorf("read computed traits: %w", err)
		}
		for i := range ids {
			id := deltas[part[i]].row
			c, stored := base[id]
			if !stored {
				c = &touchpoint.ComputedTraits{}
			}
			for _, d := range deltas[part[i]:part[i+1]] {
				c.Add(d.d)
			}
			t.buf = c.AppendJSON(t.buf[:0])
			if !stored {
				inserts = append(inserts, id, string(t.buf))
				continue
			}
			// One row a statement: SQLite updates rows faster so than
			// through UPDATE … FROM VALUES.
			if _, err := t.exec("profile_computed_save", string(t.buf), id); err != nil {
				return err
			}
		}
	}
	return t.execRows("profile_computed_insert", 2, flushChunk, inserts)
}

// SettleIdentity writes whatever identity resolution holds back.
func (db *DB) SettleIdentity(ctx context.Context) error {
	db.pending.mu.Lock()
	idle := db.pending.stored && db.pending.events == 0
	db.pending.mu.Unlock()
	if idle {
		return nil
	}
	return db.UpdateIdentity(ctx, func(tx identity.Tx) error {
		t := tx.(*identityTx)
		t.settle = true
		return nil
	})
}
