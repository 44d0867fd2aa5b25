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
// touch a page of the profiles table and one of the seen-event index per
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
	// computed holds what held-back batches added, by profile row.
	computed map[string]*touchpoint.ComputedTraits
	// seen holds the hashed ids of held-back events, with their day.
	seen   map[seenKeyT]int64
	events int
	since  time.Time
	// seq is the log position applied; stored is false while it is held.
	seq    uint64
	stored bool
}

type seenKeyT [2]int64

func newPendingIdentity() *pendingIdentity {
	return &pendingIdentity{computed: map[string]*touchpoint.ComputedTraits{}, seen: map[seenKeyT]int64{}, stored: true}
}

// addTo adds the held-back computed traits of rows to c.
func (p *pendingIdentity) addTo(c *touchpoint.ComputedTraits, rows ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range rows {
		if d, ok := p.computed[r]; ok {
			c.Add(*d)
		}
	}
}

func (p *pendingIdentity) hasSeen(k seenKeyT) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.seen[k]
	return ok
}

// hold takes in what a committed transaction held back.
func (p *pendingIdentity) hold(t *identityTx) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.events == 0 {
		p.since = time.Now()
	}
	for row, d := range t.computed {
		if cur, ok := p.computed[row]; ok {
			cur.Add(*d)
		} else {
			p.computed[row] = d
		}
	}
	for k, day := range t.seen {
		p.seen[k] = day
	}
	p.events += t.events
	p.seq, p.stored = t.seq, false
}

// clear forgets what a committed flush wrote.
func (p *pendingIdentity) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.computed = map[string]*touchpoint.ComputedTraits{}
	p.seen = map[seenKeyT]int64{}
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
	keys := make([]seenKeyT, 0, len(p.seen)+len(t.seen))
	days := make(map[seenKeyT]int64, len(p.seen)+len(t.seen))
	for _, m := range []map[seenKeyT]int64{p.seen, t.seen} {
		for k, d := range m {
			if _, ok := days[k]; !ok {
				keys = append(keys, k)
			}
			days[k] = d
		}
	}
	rows := map[string][]touchpoint.ComputedTraits{}
	for _, m := range []map[string]*touchpoint.ComputedTraits{p.computed, t.computed} {
		for r, d := range m {
			rows[r] = append(rows[r], *d)
		}
	}
	seq, stored := p.seq, p.stored
	p.mu.Unlock()
	if t.hasSeq {
		seq, stored = t.seq, false
	}

	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	args := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		args = append(args, k[0], k[1], days[k])
	}
	if err := t.execRows("identity_seen_keys_insert", 3, flushChunk, args); err != nil {
		return err
	}
	if err := t.flushComputed(rows); err != nil {
		return err
	}
	if !stored {
		if _, err := t.exec("save_checkpoint", identity.ConsumerName, seq, formatTime(t.db.now())); err != nil {
			return err
		}
	}
	return t.pruneSeen()
}

// flushComputed adds deltas to the stored computed traits of their profile
// rows, reading and writing them in key order. Rows that have none yet are
// inserted, many a statement.
func (t *identityTx) flushComputed(rows map[string][]touchpoint.ComputedTraits) error {
	ids := make([]string, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var inserts []any
	for start := 0; start < len(ids); start += flushChunk {
		part := ids[start:min(len(ids), start+flushChunk)]
		base := make(map[string]*touchpoint.ComputedTraits, len(part))
		err := t.queryIn("profile_computed_of", nil, anys(part), 1, func(r *sql.Rows) error {
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
		for _, id := range part {
			c, stored := base[id]
			if !stored {
				c = &touchpoint.ComputedTraits{}
			}
			for _, d := range rows[id] {
				c.Add(d)
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
