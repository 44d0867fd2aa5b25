package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"hash/maphash"

	"github.com/touchpoint-cx/touchpoint/identity"
)

// identityIndex holds, in memory, which profile row owns each identifier
// and which row each row was merged into. The identity engine looks up every
// identifier of every event; answering from memory instead of SQLite is what
// lets it keep up with ingest. The tables stay the source of truth: the index
// is loaded from them when the first batch runs, changed only alongside
// them by the one writer (under DB.identityMu), and rolled back with them.
type identityIndex struct {
	seeds [2]maphash.Seed
	// ids maps a 128-bit keyed hash of (workspace, kind, value) to a row
	// number. Two independent random seeds make a collision, even one
	// crafted by someone who controls identifiers, practically impossible.
	ids  map[[2]uint64]int32
	rows []indexRow
	byID map[string]int32
	// children lists, for rows that others were merged into, those rows.
	children map[int32][]int32
	// kinds holds one copy of each identifier kind's name.
	kinds map[string]string

	// undo, while a transaction runs, reverses its changes if it fails.
	undo []undoStep
	buf  []byte // scratch for key

	states *stateCache
	// changeSeq is the sequence of the last identity change recorded.
	changeSeq uint64
}

type indexRow struct {
	id         string
	workspace  string
	rowid      int64
	mergedInto int32 // row number, or -1
	// idents are the identifiers this row holds (not those of rows merged
	// into it), in the order they joined.
	idents []indexIdent
}

type indexIdent struct{ kind, value string }

// undoStep reverses one change to the index.
type undoStep struct {
	op     uint8 // undoRow, undoAttach, undoMerge or undoSeq
	row    int32
	key    [2]uint64
	old    int32 // previous owner (attach) or merge target (merge)
	had    bool  // the key had an owner before (attach)
	idents int   // length of the row's idents before (attach)
	to     int32 // merge target set (merge)
	seq    uint64
}

const (
	undoRow uint8 = iota
	undoAttach
	undoMerge
	undoSeq
)

func newIdentityIndex(cacheSize int) *identityIndex {
	return &identityIndex{states: newStateCache(cacheSize), seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, ids: map[[2]uint64]int32{},
		byID: map[string]int32{}, children: map[int32][]int32{}, kinds: map[string]string{}}
}

func (x *identityIndex) key(workspace, kind, value string) [2]uint64 {
	b := x.buf[:0]
	b = append(b, workspace...)
	b = append(b, 0)
	b = append(b, kind...)
	b = append(b, 0)
	b = append(b, value...)
	x.buf = b
	return [2]uint64{maphash.Bytes(x.seeds[0], b), maphash.Bytes(x.seeds[1], b)}
}

// load reads every profile row and identifier. It runs once, inside the
// first write transaction, so it sees exactly what later batches change.
func (x *identityIndex) load(ctx context.Context, tx *sql.Tx, lastChange string) error {
	if err := tx.QueryRowContext(ctx, lastChange).Scan(&x.changeSeq); err != nil {
		return fmt.Errorf("load identity index: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT rowid, id, workspace, merged_into FROM profiles ORDER BY rowid`)
	if err != nil {
		return fmt.Errorf("load identity index: %w", err)
	}
	merged := map[int32]string{}
	workspaces := map[string]string{} // one copy of each workspace name
	for rows.Next() {
		var r indexRow
		var into sql.NullString
		if err := rows.Scan(&r.rowid, &r.id, &r.workspace, &into); err != nil {
			rows.Close()
			return fmt.Errorf("load identity index: %w", err)
		}
		r.mergedInto = -1
		if w, ok := workspaces[r.workspace]; ok {
			r.workspace = w
		} else {
			workspaces[r.workspace] = r.workspace
		}
		n := int32(len(x.rows))
		x.rows = append(x.rows, r)
		x.byID[r.id] = n
		if into.Valid {
			merged[n] = into.String
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load identity index: %w", err)
	}
	for n, into := range merged {
		if m, ok := x.byID[into]; ok {
			x.rows[n].mergedInto = m
			x.children[m] = append(x.children[m], n)
		}
	}
	ids, err := tx.QueryContext(ctx, `SELECT workspace, kind, value, profile_id FROM identities ORDER BY first_seen`)
	if err != nil {
		return fmt.Errorf("load identity index: %w", err)
	}
	defer ids.Close()
	for ids.Next() {
		var ws, kind, value, profile string
		if err := ids.Scan(&ws, &kind, &value, &profile); err != nil {
			return fmt.Errorf("load identity index: %w", err)
		}
		if n, ok := x.byID[profile]; ok {
			x.ids[x.key(ws, kind, value)] = n
			x.rows[n].idents = append(x.rows[n].idents, indexIdent{x.kind(kind), value})
		}
	}
	return ids.Err()
}

func (x *identityIndex) kind(k string) string {
	if c, ok := x.kinds[k]; ok {
		return c
	}
	x.kinds[k] = k
	return k
}

// group appends row n and every row merged into it, at any depth.
func (x *identityIndex) group(n int32, out []int32) []int32 {
	out = append(out, n)
	for _, c := range x.children[n] {
		out = x.group(c, out)
	}
	return out
}

// owner returns the row number holding an identifier, or -1.
func (x *identityIndex) owner(workspace, kind, value string) int32 {
	if n, ok := x.ids[x.key(workspace, kind, value)]; ok {
		return n
	}
	return -1
}

// canonical follows merges from row n to the row it reads as.
func (x *identityIndex) canonical(n int32) int32 {
	for range 10000 {
		next := x.rows[n].mergedInto
		if next < 0 {
			return n
		}
		n = next
	}
	return n
}

func (x *identityIndex) addRow(id, workspace string, rowid int64) int32 {
	n := int32(len(x.rows))
	if len(x.rows) > 0 && x.rows[n-1].workspace == workspace {
		workspace = x.rows[n-1].workspace
	}
	x.rows = append(x.rows, indexRow{id: id, workspace: workspace, rowid: rowid, mergedInto: -1})
	x.byID[id] = n
	x.undo = append(x.undo, undoStep{op: undoRow, row: n})
	return n
}

func (x *identityIndex) attach(workspace, kind, value string, n int32) {
	k := x.key(workspace, kind, value)
	old, had := x.ids[k]
	x.ids[k] = n
	x.undo = append(x.undo, undoStep{op: undoAttach, row: n, key: k, old: old, had: had, idents: len(x.rows[n].idents)})
	x.rows[n].idents = append(x.rows[n].idents, indexIdent{x.kind(kind), value})
}

// setMerged records that row n reads as row into (-1: as itself again).
func (x *identityIndex) setMerged(n, into int32) {
	old := x.rows[n].mergedInto
	x.link(n, old, into)
	x.undo = append(x.undo, undoStep{op: undoMerge, row: n, old: old, to: into})
}

func (x *identityIndex) link(n, from, to int32) {
	x.rows[n].mergedInto = to
	if from >= 0 {
		kids := x.children[from]
		for i, c := range kids {
			if c == n {
				kids = append(kids[:i:i], kids[i+1:]...)
				break
			}
		}
		if len(kids) == 0 {
			delete(x.children, from)
		} else {
			x.children[from] = kids
		}
	}
	if to >= 0 {
		x.children[to] = append(x.children[to], n)
	}
}

// nextChange numbers an identity change.
func (x *identityIndex) nextChange() uint64 {
	x.undo = append(x.undo, undoStep{op: undoSeq, seq: x.changeSeq})
	x.changeSeq++
	return x.changeSeq
}

// commit forgets the undo log; rollback replays it backwards.
func (x *identityIndex) commit() { x.undo = x.undo[:0] }

func (x *identityIndex) rollback() {
	for i := len(x.undo) - 1; i >= 0; i-- {
		u := x.undo[i]
		switch u.op {
		case undoRow:
			delete(x.byID, x.rows[u.row].id)
			x.rows = x.rows[:u.row]
		case undoAttach:
			x.rows[u.row].idents = x.rows[u.row].idents[:u.idents]
			if u.had {
				x.ids[u.key] = u.old
			} else {
				delete(x.ids, u.key)
			}
		case undoMerge:
			x.link(u.row, u.to, u.old)
		case undoSeq:
			x.changeSeq = u.seq
		}
	}
	x.undo = x.undo[:0]
	x.states.clear()
}

// stateCache keeps the decoded states of recently active profile rows, so
// that a customer's next event skips reading and decoding their row. It
// evicts with the CLOCK algorithm: an entry used since the hand last passed
// gets a second chance.
type stateCache struct {
	max   int
	slots []cacheSlot
	where map[int32]int // row number → slot
	hand  int
}

type cacheSlot struct {
	row   int32
	state *identity.State
	used  bool
}

func newStateCache(max int) *stateCache {
	return &stateCache{max: max, where: map[int32]int{}}
}

func (c *stateCache) get(row int32) *identity.State {
	if c == nil {
		return nil
	}
	i, ok := c.where[row]
	if !ok {
		return nil
	}
	c.slots[i].used = true
	return c.slots[i].state
}

func (c *stateCache) put(row int32, s *identity.State) {
	if c == nil || c.max <= 0 {
		return
	}
	if i, ok := c.where[row]; ok {
		c.slots[i].state, c.slots[i].used = s, true
		return
	}
	if len(c.slots) < c.max {
		c.where[row] = len(c.slots)
		c.slots = append(c.slots, cacheSlot{row: row, state: s})
		return
	}
	for c.slots[c.hand].used {
		c.slots[c.hand].used = false
		c.hand = (c.hand + 1) % len(c.slots)
	}
	delete(c.where, c.slots[c.hand].row)
	c.slots[c.hand] = cacheSlot{row: row, state: s}
	c.where[row] = c.hand
	c.hand = (c.hand + 1) % len(c.slots)
}

// clear drops every entry: states are changed in place during a batch, so
// a batch that rolls back leaves them wrong.
func (c *stateCache) clear() {
	if c == nil {
		return
	}
	c.slots, c.where, c.hand = c.slots[:0], map[int32]int{}, 0
}
