package text

import (
	"math"
	"slices"
	"strings"
)

// FeatureConfig says how a model turns text into features. It is stored in
// the model file, so a model always reads text the way it was trained to.
//
// Features are hashed into 2^Bits buckets: word n-grams up to Words long,
// character n-grams of CharMin to CharMax characters inside each token (the
// token padded with a space on both sides, so that prefixes and suffixes
// are features of their own), and, with Negation, words marked as negated
// when they follow "not", "no", "never" or a word ending in "n't" in the
// same clause, and, with Lexicon, how many of the language's polarity seed
// words the text holds. Every feature present counts once, and the vector
// is scaled to unit length.
type FeatureConfig struct {
	Bits     int  `json:"bits"`
	Words    int  `json:"words"`
	CharMin  int  `json:"char_min"`
	CharMax  int  `json:"char_max"`
	Negation bool `json:"negation,omitempty"`
	// Lexicon adds features counting the language's polarity seeds
	// (see polaritySeeds).
	Lexicon bool `json:"lexicon,omitempty"`
}

// DefaultFeatures returns the feature configuration the built-in model of
// lang uses.
func DefaultFeatures(lang string) FeatureConfig {
	switch lang {
	case LangEnglish:
		return FeatureConfig{Bits: 20, Words: 2, CharMin: 3, CharMax: 5, Negation: true, Lexicon: true}
	case LangVietnamese:
		// Vietnamese writes one syllable a word: most words are two or
		// three syllables, so syllable n-grams up to three.
		return FeatureConfig{Bits: 20, Words: 3, CharMin: 2, CharMax: 4, Lexicon: true}
	case LangThai:
		// Thai has no spaces between words: a "word" is a run of text
		// between spaces, and character n-grams from one character up
		// stand in for the words inside it.
		return FeatureConfig{Bits: 20, Words: 2, CharMin: 1, CharMax: 5, Lexicon: true}
	default:
		return FeatureConfig{Bits: 20, Words: 2, CharMin: 3, CharMax: 5, Lexicon: true}
	}
}

func (c FeatureConfig) validate() error {
	switch {
	case c.Bits < 10 || c.Bits > 22:
		return errorf("features: bits %d out of range 10–22", c.Bits)
	case c.Words < 1 || c.Words > 4:
		return errorf("features: word n-grams %d out of range 1–4", c.Words)
	case c.CharMin < 0 || c.CharMax > 8 || c.CharMin > c.CharMax:
		return errorf("features: character n-grams %d–%d out of range", c.CharMin, c.CharMax)
	}
	return nil
}

// vector is a sparse feature vector: sorted bucket indexes and their values.
type vector struct {
	idx []uint32
	val []float32
}

// Feature kinds seed the hash so that a word and a character n-gram with
// the same spelling land in different buckets.
const (
	kindWord uint32 = iota + 1
	kindNgram
	kindChar
	kindNeg
	kindPunct
	kindLex
)

const fnvOffset, fnvPrime = 2166136261, 16777619

func fnvString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvKind(kind uint32) uint32 { return (fnvOffset ^ kind) * fnvPrime }

var negators = set(`not no never nothing nobody nowhere neither nor none cannot without hardly barely`)

// features hashes normalised text of a language into a vector.
func (c FeatureConfig) features(lang, norm string) vector {
	mask := uint32(1)<<c.Bits - 1
	toks := Tokens(norm)
	idx := make([]uint32, 0, len(toks)*8)
	var words []string
	negated := false
	for _, t := range toks {
		if !isWord(t) {
			negated = false
			if isClauseEnd(t) {
				words = append(words, "") // n-grams do not cross clauses
				if t == "!" || t == "?" {
					idx = append(idx, fnvString(fnvKind(kindPunct), t)&mask)
				}
			} else {
				idx = append(idx, fnvString(fnvKind(kindWord), t)&mask) // emoji
			}
			continue
		}
		words = append(words, t)
		if c.Negation {
			if negated {
				idx = append(idx, fnvString(fnvKind(kindNeg), t)&mask)
			}
			if negators[t] || strings.HasSuffix(t, "n't") {
				negated = true
			}
		}
		if c.CharMax > 0 && (lang == LangThai || len(t) > 1) {
			idx = c.charNgrams(idx, t, mask)
		}
	}
	for n := 1; n <= c.Words; n++ {
	next:
		for i := 0; i+n <= len(words); i++ {
			h := fnvKind(kindWord + uint32(n-1)*16)
			for k := i; k < i+n; k++ {
				if words[k] == "" {
					continue next
				}
				if k > i {
					h = fnvString(h, " ")
				}
				h = fnvString(h, words[k])
			}
			idx = append(idx, h&mask)
		}
	}
	if c.Lexicon {
		pos, neg, negPos, negNeg := polarityCounts(lang, norm)
		// One feature per count up to three, so that two opinion words
		// weigh more than one.
		for name, n := range map[string]int{"pos": pos, "neg": neg, "negpos": negPos, "negneg": negNeg} {
			for k := 1; k <= min(n, 3); k++ {
				idx = append(idx, fnvString(fnvKind(kindLex), name+string(rune('0'+k)))&mask)
			}
		}
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	v := vector{idx: idx, val: make([]float32, len(idx))}
	if len(idx) > 0 {
		w := float32(1 / math.Sqrt(float64(len(idx))))
		for i := range v.val {
			v.val[i] = w
		}
	}
	return v
}

// charNgrams appends the character n-grams of one token, padded with a
// space on each side.
func (c FeatureConfig) charNgrams(idx []uint32, t string, mask uint32) []uint32 {
	padded := " " + t + " "
	offs := make([]int, 0, len(padded)+1)
	for i := range padded {
		offs = append(offs, i)
	}
	offs = append(offs, len(padded))
	runes := len(offs) - 1
	for n := c.CharMin; n <= c.CharMax; n++ {
		if n == 0 {
			continue
		}
		for i := 0; i+n <= runes; i++ {
			g := padded[offs[i]:offs[i+n]]
			if n == 1 && g == " " {
				continue
			}
			idx = append(idx, fnvString(fnvKind(kindChar), g)&mask)
		}
	}
	return idx
}
