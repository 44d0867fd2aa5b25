package lexicon

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestVADER checks the Go rendering against compound scores printed by the
// reference JavaScript port (vader-sentiment 1.1.3) for sentences that
// exercise each rule: boosters, capitals, negation, "but", "least",
// idioms and punctuation.
func TestVADER(t *testing.T) {
	f, err := os.Open("testdata/vader_golden.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		want, text, _ := strings.Cut(sc.Text(), "\t")
		w, err := strconv.ParseFloat(want, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := VADER(text); math.Abs(got-w) > 1e-4 {
			t.Errorf("%q: compound %.4f, want %.4f", text, got, w)
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d golden sentences", n)
	}
}
