package segment

import (
	"slices"
	"strings"
	"time"
)

// factState is one fact of one workspace, for every profile row.
//
// Count facts keep, per row, the Keep latest matching events (time and a
// hash of the event id), newest first. That is all a count comparison in a
// window ending now needs: the count is at least k exactly when the k-th
// latest event is in the window. The hash makes an event seen twice (a
// replay, a duplicate in the log) count once. Latest and earliest facts
// keep one time (and a value); both are idempotent.
type factState struct {
	fact   *Fact
	ws     string
	counts map[int32][]entry
	latest map[int32]latestEntry
	first  map[int32]int64
	// windows are the windows (in days) nodes read this fact with; a
	// profile whose events cross one of them with time passing is
	// evaluated again by the sweep.
	windows []int
	// refs counts the plans using the fact, so unused facts are dropped.
	refs int
	// ready is set once the fact holds what the analytics store had; it
	// is fed from events only from then on.
	ready bool
}

func (fs *factState) built() bool { return fs.ready }

type entry struct {
	ts  int64 // unix nanoseconds
	key uint64
}

type latestEntry struct {
	ts int64
	s  string
	f  float64
}

func newFactState(f *Fact, ws string) *factState {
	fs := &factState{fact: f, ws: ws}
	switch f.Kind {
	case FactCount, FactSentiment:
		fs.counts = map[int32][]entry{}
	case FactLatest:
		fs.latest = map[int32]latestEntry{}
	case FactEarliest:
		fs.first = map[int32]int64{}
	}
	return fs
}

// addCount records an event for a count fact and reports whether the kept
// events changed. With replace, an entry with the same key is moved to the
// new time (a feedback item whose sentiment or time changed).
func (fs *factState) addCount(row int32, ts int64, key uint64, replace bool) bool {
	es := fs.counts[row]
	for i, e := range es {
		if e.key == key {
			if !replace || e.ts == ts {
				return false
			}
			es = slices.Delete(es, i, i+1)
			break
		}
	}
	keep := fs.fact.Keep
	// Newest first; among equal times, larger keys first, so the order is
	// the same whichever way the entries arrived.
	i := 0
	for i < len(es) && (es[i].ts > ts || es[i].ts == ts && es[i].key > key) {
		i++
	}
	if i >= keep {
		if len(es) != len(fs.counts[row]) {
			fs.counts[row] = es
			return true
		}
		return false
	}
	es = slices.Insert(es, i, entry{ts, key})
	if len(es) > keep {
		es = es[:keep]
	}
	fs.counts[row] = es
	return true
}

// removeCount drops an entry (a feedback item whose sentiment changed).
func (fs *factState) removeCount(row int32, key uint64) bool {
	es := fs.counts[row]
	for i, e := range es {
		if e.key == key {
			es = slices.Delete(es, i, i+1)
			if len(es) == 0 {
				delete(fs.counts, row)
			} else {
				fs.counts[row] = es
			}
			return true
		}
	}
	return false
}

// after reports whether a latest entry beats b: a later time, or at the
// same time the larger value, so ties resolve the same way everywhere
// (journey.exited beats journey.entered, unsubscribed beats subscribed).
func (a latestEntry) after(b latestEntry, numeric bool) bool {
	if a.ts != b.ts {
		return a.ts > b.ts
	}
	if numeric {
		return a.f > b.f
	}
	return strings.Compare(a.s, b.s) > 0
}

func (fs *factState) addLatest(row int32, e latestEntry) bool {
	old, ok := fs.latest[row]
	if ok && !e.after(old, fs.fact.ValueKind == ValueNumber) {
		return false
	}
	fs.latest[row] = e
	return true
}

func (fs *factState) addEarliest(row int32, ts int64) bool {
	old, ok := fs.first[row]
	if ok && old <= ts {
		return false
	}
	fs.first[row] = ts
	return true
}

// count is how many of a profile's kept events are at or after cutoff
// (all of them with cutoff 0), over the profile's rows.
func (fs *factState) count(rows []int32, cutoff int64) int {
	if len(rows) == 1 {
		n := 0
		for _, e := range fs.counts[rows[0]] {
			if e.ts < cutoff {
				break
			}
			n++
		}
		return n
	}
	// Several rows: the profile's latest Keep events are among the rows'
	// latest Keep each. Keys shared by rows count once.
	var all []entry
	for _, r := range rows {
		all = append(all, fs.counts[r]...)
	}
	slices.SortFunc(all, func(a, b entry) int {
		switch {
		case a.ts > b.ts:
			return -1
		case a.ts < b.ts:
			return 1
		case a.key > b.key:
			return -1
		case a.key < b.key:
			return 1
		}
		return 0
	})
	all = slices.CompactFunc(all, func(a, b entry) bool { return a.key == b.key && a.ts == b.ts })
	n := 0
	for i, e := range all {
		if i >= fs.fact.Keep || e.ts < cutoff {
			break
		}
		n++
	}
	return n
}

// latestOf is a profile's latest entry over its rows.
func (fs *factState) latestOf(rows []int32) (latestEntry, bool) {
	var best latestEntry
	found := false
	for _, r := range rows {
		if e, ok := fs.latest[r]; ok && (!found || e.after(best, fs.fact.ValueKind == ValueNumber)) {
			best, found = e, true
		}
	}
	return best, found
}

func (fs *factState) earliestOf(rows []int32) (int64, bool) {
	var best int64
	found := false
	for _, r := range rows {
		if t, ok := fs.first[r]; ok && (!found || t < best) {
			best, found = t, true
		}
	}
	return best, found
}

// crossing calls fn for every row with a time that a window of the fact
// passed over between from and to: what made a "not in 14 days" true or a
// "within 30 days" false with no event.
func (fs *factState) crossing(from, to time.Time, fn func(row int32)) {
	if len(fs.windows) == 0 {
		return
	}
	type span struct{ lo, hi int64 }
	spans := make([]span, 0, len(fs.windows))
	for _, d := range fs.windows {
		w := time.Duration(d) * 24 * time.Hour
		spans = append(spans, span{from.Add(-w).UnixNano(), to.Add(-w).UnixNano()})
	}
	in := func(ts int64) bool {
		for _, s := range spans {
			if ts > s.lo && ts <= s.hi {
				return true
			}
		}
		return false
	}
	for r, es := range fs.counts {
		for _, e := range es {
			if in(e.ts) {
				fn(r)
				break
			}
		}
	}
	for r, e := range fs.latest {
		if in(e.ts) {
			fn(r)
		}
	}
	for r, t := range fs.first {
		if in(t) {
			fn(r)
		}
	}
}

func (fs *factState) addWindow(days int) {
	if days > 0 && !slices.Contains(fs.windows, days) {
		fs.windows = append(fs.windows, days)
	}
}
