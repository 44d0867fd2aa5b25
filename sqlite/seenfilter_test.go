package sqlite

import (
	"math/rand/v2"
	"testing"
)

// TestSeenFilter checks the filter never forgets a key it was given, and
// that it rarely claims one it was not, at the load it was sized for.
func TestSeenFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	f := newSeenFilter(100_000)
	keys := make([]seenKeyT, 200_000)
	for i := range keys {
		keys[i] = seenKeyT{r.Int64(), r.Int64()}
	}
	for _, k := range keys[:100_000] {
		f.add(k)
	}
	for i, k := range keys[:100_000] {
		if !f.mayHave(k) {
			t.Fatalf("key %d was added and is reported unseen", i)
		}
	}
	wrong := 0
	for _, k := range keys[100_000:] {
		if f.mayHave(k) {
			wrong++
		}
	}
	// Sized for at least 8M keys, 100k keys leave it nearly empty.
	if wrong > 10 {
		t.Fatalf("%d of 100000 unseen keys reported as maybe seen", wrong)
	}
	if f.full() {
		t.Fatal("filter full below its capacity")
	}

	// At its capacity the false positives stay near 1%.
	small := &seenFilter{bits: make([]uint64, (10_000*seenFilterBitsKey+63)/64), capacity: 10_000}
	small.m = uint64(len(small.bits)) * 64
	for _, k := range keys[:10_000] {
		small.add(k)
	}
	wrong = 0
	for _, k := range keys[100_000:] {
		if small.mayHave(k) {
			wrong++
		}
	}
	if rate := float64(wrong) / 100_000; rate > 0.02 {
		t.Fatalf("false positive rate %.3f at capacity, want about 0.01", rate)
	}
	small.add(keys[10_001])
	if !small.full() {
		t.Fatal("filter past its capacity not full")
	}
}
