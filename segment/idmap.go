package segment

import (
	"hash/maphash"
	"slices"

	"github.com/touchpoint-cx/touchpoint"
)

// idMap is the engine's copy of who is who: which profile row holds each
// user id and anonymous id, and which profile each row reads as. It is
// loaded from the state store and follows identity resolution's change
// feed, so events are attributed exactly as the analytics store's
// profile_events view attributes them: the row of the user id, else the
// row of the anonymous id.
//
// Rows are numbered; facts and memberships refer to rows by number. A
// profile is its canonical row; the rows merged into it are listed in
// groups (only for profiles that have more than one).
type idMap struct {
	seed   maphash.Seed
	ids    map[uint64]int32
	rows   []idRow
	byID   map[string]int32
	groups map[int32][]int32
	names  map[string]string // one copy of each workspace name
	one    [1]int32
}

type idRow struct {
	id    string
	ws    string
	canon int32
	// uid is the row's user id, sent with the profile's segment events.
	uid string
}

func newIDMap() *idMap {
	return &idMap{seed: maphash.MakeSeed(), ids: map[uint64]int32{}, byID: map[string]int32{}, groups: map[int32][]int32{}, names: map[string]string{}}
}

// key hashes an identifier with a random seed. 64 bits make a collision
// among a few million identifiers about a one-in-ten-million chance, and
// the seed keeps anyone from crafting one.
func (m *idMap) key(ws, kind, value string) uint64 {
	var h maphash.Hash
	h.SetSeed(m.seed)
	h.WriteString(ws)
	h.WriteByte(0)
	h.WriteString(kind)
	h.WriteByte(0)
	h.WriteString(value)
	return h.Sum64()
}

// row returns the number of a row, adding it (reading as itself) if new.
func (m *idMap) row(id, ws string) int32 {
	if n, ok := m.byID[id]; ok {
		return n
	}
	if w, ok := m.names[ws]; ok {
		ws = w
	} else {
		m.names[ws] = ws
	}
	n := int32(len(m.rows))
	m.rows = append(m.rows, idRow{id: id, ws: ws, canon: n})
	m.byID[id] = n
	return n
}

// attach records that an identifier belongs to a row.
func (m *idMap) attach(ws, kind, value string, row int32) {
	m.ids[m.key(ws, kind, value)] = row
	if kind == touchpoint.KindUserID && m.rows[row].uid == "" {
		m.rows[row].uid = value
	}
}

// lookup returns the row holding an identifier, or -1.
func (m *idMap) lookup(ws, kind, value string) int32 {
	if value == "" {
		return -1
	}
	if n, ok := m.ids[m.key(ws, kind, value)]; ok {
		return n
	}
	return -1
}

// attribute returns the row an event belongs to, or -1.
func (m *idMap) attribute(ev *touchpoint.Event) int32 {
	if r := m.lookup(ev.Workspace, touchpoint.KindUserID, ev.UserID); r >= 0 {
		return r
	}
	return m.lookup(ev.Workspace, touchpoint.KindAnonymousID, ev.AnonymousID)
}

// canon is the profile a row reads as.
func (m *idMap) canon(row int32) int32 { return m.rows[row].canon }

// setCanon makes row read as profile c, keeping groups in step.
func (m *idMap) setCanon(row, c int32) {
	old := m.rows[row].canon
	if old == c {
		return
	}
	if g, ok := m.groups[old]; ok {
		g = slices.DeleteFunc(g, func(r int32) bool { return r == row })
		if len(g) <= 1 {
			delete(m.groups, old)
		} else {
			m.groups[old] = g
		}
	}
	m.rows[row].canon = c
	if row == c {
		return
	}
	g, ok := m.groups[c]
	if !ok {
		g = []int32{c}
	}
	m.groups[c] = append(g, row)
}

// rowsOf lists the rows of profile p (p itself first). The slice is only
// valid until the next call.
func (m *idMap) rowsOf(p int32) []int32 {
	if g, ok := m.groups[p]; ok {
		return g
	}
	m.one[0] = p
	return m.one[:]
}

// userID is the profile's user id, if any of its rows has one.
func (m *idMap) userID(p int32) string {
	if u := m.rows[p].uid; u != "" {
		return u
	}
	for _, r := range m.groups[p] {
		if u := m.rows[r].uid; u != "" {
			return u
		}
	}
	return ""
}

// profiles calls fn for every profile (canonical row) of a workspace.
func (m *idMap) profiles(ws string, fn func(p int32)) {
	for i := range m.rows {
		if m.rows[i].canon == int32(i) && m.rows[i].ws == ws {
			fn(int32(i))
		}
	}
}
