package text

import (
	"strings"
	"unicode"
)

// Tokens splits normalised text into tokens: words (runs of letters, marks
// and digits, with apostrophes inside English words kept, "don't"), each
// emoji or other symbol on its own, and the punctuation that ends a clause
// (". , ; : ! ?"), which negation and topic phrases stop at. Thai has no
// spaces between words, so a Thai "word" here is a run of Thai text between
// spaces or punctuation; features read it as character n-grams.
func Tokens(s string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 {
			out = append(out, s[start:end])
			start = -1
		}
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r):
			// A Thai run and a Latin run side by side ("ร้านนี้ok") are
			// two tokens.
			if start >= 0 && i > start {
				prev := lastRune(s[start:i])
				if isThai(prev) != isThai(r) && !unicode.IsMark(r) {
					flush(i)
				}
			}
			if start < 0 {
				start = i
			}
		case r == '\'' && start >= 0 && i+1 < len(s) && isLetterAt(s, i+1):
			// Inside a word: keep.
		default:
			flush(i)
			switch {
			case strings.ContainsRune(".,;:!?", r):
				out = append(out, string(r))
			case unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) && r > 0x2000:
				out = append(out, string(r))
			}
		}
	}
	flush(len(s))
	return out
}

func lastRune(s string) rune {
	var last rune
	for _, r := range s {
		last = r
	}
	return last
}

func isLetterAt(s string, i int) bool {
	for _, r := range s[i:] {
		return unicode.IsLetter(r)
	}
	return false
}

// isWord reports whether a token is a word (not punctuation or a symbol).
func isWord(tok string) bool {
	for _, r := range tok {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
	}
	return false
}

// isClauseEnd reports punctuation that ends a clause.
func isClauseEnd(tok string) bool {
	return len(tok) == 1 && strings.ContainsRune(".,;:!?", rune(tok[0]))
}

// Words returns the words of a normalised text, without punctuation or
// symbols.
func Words(s string) []string {
	toks := Tokens(s)
	out := toks[:0]
	for _, t := range toks {
		if isWord(t) {
			out = append(out, t)
		}
	}
	return out
}
