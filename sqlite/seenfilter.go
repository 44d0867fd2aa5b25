package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// seenFilter answers, from memory, whether identity resolution might have
// applied an event already, so that it asks SQLite only about the events it
// might have seen (a messageId sent again) instead of about every event. It
// is a Bloom filter over the hashed keys of identity_seen_keys: a key it was
// never given is unseen for certain; a key it reports as maybe seen is
// looked up (about one in a hundred unseen keys, at the load it was sized
// for; more once it holds more than that, until the daily prune resizes it).
type seenFilter struct {
	bits     []uint64
	m        uint64 // bits
	n        int    // keys added
	capacity int    // keys it was sized for
}

const (
	seenFilterProbes  = 7 // with 10 bits a key: about 1% false positives
	seenFilterBitsKey = 10
	seenFilterMinKeys = 8 << 20 // 10 MB
)

func newSeenFilter(keys int) *seenFilter {
	capacity := max(2*keys, seenFilterMinKeys)
	words := (uint64(capacity)*seenFilterBitsKey + 63) / 64
	return &seenFilter{bits: make([]uint64, words), m: words * 64, capacity: capacity}
}

// probe returns the i-th bit of key k. The key is already a 128-bit hash;
// its halves make the probe sequence (double hashing).
func (f *seenFilter) probe(k seenKeyT, i uint64) uint64 {
	return (uint64(k[0]) + i*(uint64(k[1])|1)) % f.m
}

func (f *seenFilter) add(k seenKeyT) {
	for i := uint64(0); i < seenFilterProbes; i++ {
		b := f.probe(k, i)
		f.bits[b/64] |= 1 << (b % 64)
	}
	f.n++
}

func (f *seenFilter) mayHave(k seenKeyT) bool {
	for i := uint64(0); i < seenFilterProbes; i++ {
		b := f.probe(k, i)
		if f.bits[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

func (f *seenFilter) full() bool { return f.n > f.capacity }

// loadSeenFilter reads every stored event key into a new filter.
func loadSeenFilter(ctx context.Context, tx *sql.Tx) (*seenFilter, error) {
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM identity_seen_keys`).Scan(&count); err != nil {
		return nil, fmt.Errorf("load seen events: %w", err)
	}
	f := newSeenFilter(count)
	rows, err := tx.QueryContext(ctx, `SELECT h1, h2 FROM identity_seen_keys`)
	if err != nil {
		return nil, fmt.Errorf("load seen events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k seenKeyT
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, fmt.Errorf("load seen events: %w", err)
		}
		f.add(k)
	}
	return f, rows.Err()
}
