// Package lexicon holds the lexicon-based sentiment baselines Touchpoint's
// trained models are compared with: VADER for English and small
// hand-written polarity lexicons for Vietnamese, Thai and Persian. Only the
// evaluation (touchpoint text eval, touchpoint bench text) uses it.
package lexicon

import (
	"bufio"
	_ "embed"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

//go:embed vader_lexicon.txt
var vaderLexiconFile string

var vaderLexicon = sync.OnceValue(func() map[string]float64 {
	m := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(vaderLexiconFile))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 2 {
			continue
		}
		if v, err := strconv.ParseFloat(f[1], 64); err == nil {
			m[f[0]] = v
		}
	}
	return m
})

// VADER's empirically derived constants.
const (
	bIncr   = 0.293
	bDecr   = -0.293
	cIncr   = 0.733
	nScalar = -0.74
)

var vaderNegate = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't daren't didn't doesn't
		dont hadnt hasnt havent isnt mightnt mustnt neither don't hadn't hasn't haven't isn't mightn't mustn't neednt needn't never
		none nope nor not nothing nowhere oughtnt shant shouldnt uhuh wasnt werent oughtn't shan't shouldn't uh-uh wasn't weren't
		without wont wouldnt won't wouldn't rarely seldom despite`) {
		vaderNegate[w] = true
	}
}

var vaderBoosters = func() map[string]float64 {
	m := map[string]float64{}
	for _, w := range strings.Fields(`absolutely amazingly awfully completely considerably decidedly deeply effing enormously entirely
		especially exceptionally extremely fabulously flipping flippin fricking frickin frigging friggin fully fucking greatly hella highly
		hugely incredibly intensely majorly more most particularly purely quite really remarkably so substantially thoroughly totally
		tremendously uber unbelievably unusually utterly very`) {
		m[w] = bIncr
	}
	for _, w := range strings.Fields(`almost barely hardly kinda kindof kind-of less little marginally occasionally partly scarcely
		slightly somewhat sorta sortof sort-of`) {
		m[w] = bDecr
	}
	m["just enough"], m["kind of"], m["sort of"] = bDecr, bDecr, bDecr
	return m
}()

var vaderIdioms = map[string]float64{
	"the shit": 3, "the bomb": 3, "bad ass": 1.5, "yeah right": -2, "cut the mustard": 2, "kiss of death": -1.5, "hand to mouth": -2,
}

var (
	vaderPunct    = regexp.MustCompile("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]")
	vaderUpper    = regexp.MustCompile(`^[^a-z]*[A-Z]+[^a-z]*$`)
	vaderPuncList = []string{".", "!", "?", ",", ";", ":", "-", "'", "\"", "!!", "!!!", "??", "???", "?!?", "!?!", "?!?!", "!?!?"}
)

func isUpper(w string) bool { return w != "" && vaderUpper.MatchString(w) }

func negated(w string) bool {
	return vaderNegate[w] || strings.Contains(w, "n't")
}

// VADER returns VADER's compound score of text, from -1 to 1.
func VADER(text string) float64 {
	words := vaderWords(text)
	capDiff := false
	{
		upper := 0
		for _, w := range words {
			if isUpper(w) {
				upper++
			}
		}
		d := len(words) - upper
		capDiff = d > 0 && d < len(words)
	}
	lex := vaderLexicon()
	sentiments := make([]float64, 0, len(words))
	for i, item := range words {
		lower := strings.ToLower(item)
		if i < len(words)-1 && lower == "kind" && strings.ToLower(words[i+1]) == "of" || vaderBoosters[lower] != 0 {
			sentiments = append(sentiments, 0)
			continue
		}
		sentiments = append(sentiments, valence(lex, words, i, capDiff))
	}
	// "but" shifts the weight to what follows it.
	but := -1
	for i, w := range words {
		if w == "but" || w == "BUT" {
			but = i
			break
		}
	}
	if but >= 0 {
		for i := range sentiments {
			if i < but {
				sentiments[i] *= 0.5
			} else if i > but {
				sentiments[i] *= 1.5
			}
		}
	}
	if len(sentiments) == 0 {
		return 0
	}
	var sum float64
	for _, s := range sentiments {
		sum += s
	}
	ep := min(strings.Count(text, "!"), 4)
	amp := float64(ep) * 0.292
	if qm := strings.Count(text, "?"); qm > 1 {
		if qm <= 3 {
			amp += float64(qm) * 0.18
		} else {
			amp += 0.96
		}
	}
	if sum > 0 {
		sum += amp
	} else if sum < 0 {
		sum -= amp
	}
	c := sum / math.Sqrt(sum*sum+15)
	return math.Max(-1, math.Min(1, c))
}

// vaderWords splits text as VADER does: on white space, dropping
// one-character tokens and stripping punctuation stuck to a word's ends,
// while keeping emoticons and contractions.
func vaderWords(text string) []string {
	noPunct := vaderPunct.ReplaceAllString(text, "")
	stripped := map[string]string{}
	for _, w := range strings.Fields(noPunct) {
		if len(w) <= 1 {
			continue
		}
		for _, p := range vaderPuncList {
			stripped[p+w] = w
			stripped[w+p] = w
		}
	}
	var out []string
	for _, t := range strings.Fields(text) {
		if len(t) <= 1 {
			continue
		}
		if w, ok := stripped[t]; ok {
			t = w
		}
		out = append(out, t)
	}
	return out
}

func valence(lex map[string]float64, words []string, i int, capDiff bool) float64 {
	item := words[i]
	v, ok := lex[strings.ToLower(item)]
	if !ok {
		return 0
	}
	if isUpper(item) && capDiff {
		if v > 0 {
			v += cIncr
		} else {
			v -= cIncr
		}
	}
	for start := 0; start < 3; start++ {
		if i <= start {
			continue
		}
		prev := words[i-(start+1)]
		if _, inLex := lex[strings.ToLower(prev)]; inLex {
			continue
		}
		s := scalar(prev, v, capDiff)
		if start == 1 && s != 0 {
			s *= 0.95
		} else if start == 2 && s != 0 {
			s *= 0.9
		}
		v += s
		v = neverCheck(v, words, start, i)
		if start == 2 {
			v = idiomsCheck(v, words, i)
		}
	}
	// "least" negates, except in "at least" and "very least".
	if i > 1 && strings.ToLower(words[i-1]) == "least" {
		if p := strings.ToLower(words[i-2]); p != "at" && p != "very" {
			v *= nScalar
		}
	} else if i > 0 && strings.ToLower(words[i-1]) == "least" {
		v *= nScalar
	}
	return v
}

func scalar(word string, v float64, capDiff bool) float64 {
	s, ok := vaderBoosters[strings.ToLower(word)]
	if !ok {
		return 0
	}
	if v < 0 {
		s = -s
	}
	if capDiff && isUpper(word) {
		if v > 0 {
			s += cIncr
		} else {
			s -= cIncr
		}
	}
	return s
}

func neverCheck(v float64, words []string, start, i int) float64 {
	switch start {
	case 0:
		if negated(words[i-1]) {
			v *= nScalar
		}
	case 1:
		if words[i-2] == "never" && (words[i-1] == "so" || words[i-1] == "this") {
			v *= 1.5
		} else if negated(words[i-2]) {
			v *= nScalar
		}
	case 2:
		if words[i-3] == "never" && (words[i-2] == "so" || words[i-2] == "this") || words[i-1] == "so" || words[i-1] == "this" {
			v *= 1.25
		} else if negated(words[i-3]) {
			v *= nScalar
		}
	}
	return v
}

func idiomsCheck(v float64, words []string, i int) float64 {
	w := func(k int) string {
		if k < 0 || k >= len(words) {
			return ""
		}
		return words[k]
	}
	for _, seq := range []string{
		w(i-1) + " " + w(i), w(i-2) + " " + w(i-1) + " " + w(i), w(i-2) + " " + w(i-1),
		w(i-3) + " " + w(i-2) + " " + w(i-1), w(i-3) + " " + w(i-2),
	} {
		if x, ok := vaderIdioms[seq]; ok {
			v = x
			break
		}
	}
	if len(words)-1 > i {
		if x, ok := vaderIdioms[w(i)+" "+w(i+1)]; ok {
			v = x
		}
	}
	if len(words)-1 > i+1 {
		if x, ok := vaderIdioms[w(i)+" "+w(i+1)+" "+w(i+2)]; ok {
			v = x
		}
	}
	if _, ok := vaderBoosters[w(i-3)+" "+w(i-2)]; ok {
		v += bDecr
	} else if _, ok := vaderBoosters[w(i-2)+" "+w(i-1)]; ok {
		v += bDecr
	}
	return v
}
