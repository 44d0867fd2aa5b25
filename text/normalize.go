package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in the form the models and topic lexicons read.
//
// Every language is put in Unicode NFC and lower case, curly quotes become
// straight ones, and letters stretched for emphasis ("soooo", "มากกกก") are
// shortened, so that the many spellings of one word meet in one feature.
// Persian also gets the unification Persian keyboards make necessary:
// Arabic yeh and kaf become Persian yeh and keheh, teh marbuta and heh with
// yeh become heh, hamza-carrying alefs become alef, short vowels and tatweel
// go, Persian and Arabic-Indic digits become ASCII digits, and the zero-width
// non-joiner that glues a prefix or suffix to a word is removed, so "می‌خواهم",
// "میخواهم" are one word. (Presentation forms are folded by NFKC.)
func Normalize(lang, s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	switch lang {
	case LangPersian:
		s = norm.NFKC.String(s)
	default:
		// NFKC would split Thai sara am into two code points, so Thai
		// and the Latin languages get NFC.
		s = norm.NFC.String(s)
	}
	// Map every rune first, then shorten runs of one repeated letter.
	rs := make([]rune, 0, len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		switch r {
		case '\u2018', '\u2019', '\u02bc', '`', '\u00b4':
			r = '\''
		case '\u201c', '\u201d', '\u00ab', '\u00bb':
			r = '"'
		case '\u200b', '\u200d', '\u2060', '\ufeff', '\u00ad':
			continue // zero-width characters carry nothing
		case '\t', '\n', '\r', '\u00a0', '\u2028', '\u2029':
			r = ' '
		}
		if lang == LangPersian || isArabicScript(r) {
			if r = persianRune(r); r < 0 {
				continue
			}
		}
		rs = append(rs, r)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		// Three or more of one letter is emphasis ("soooo", "ดีมากกกก"):
		// English and Vietnamese keep two (real words double letters), Thai
		// one. Two in a row is left alone: in Thai it is usually a word
		// boundary ("มากกว่า").
		if n >= 3 && (unicode.IsLetter(rs[i]) || unicode.IsMark(rs[i])) {
			if isThai(rs[i]) {
				n = 1
			} else {
				n = 2
			}
		}
		for k := 0; k < n; k++ {
			b.WriteRune(rs[i])
		}
		i = j
	}
	return b.String()
}

// persianRune maps one rune to its unified Persian form; -1 drops it.
func persianRune(r rune) rune {
	switch {
	case r == 'ي' || r == 'ى' || r == 'ې' || r == 'ۍ':
		return 'ی'
	case r == 'ك':
		return 'ک'
	case r == 'ة' || r == 'ۀ' || r == 'ە':
		return 'ه'
	case r == 'أ' || r == 'إ' || r == 'ٱ':
		return 'ا'
	case r == 'ؤ':
		return 'و'
	case r >= '۰' && r <= '۹':
		return '0' + (r - '۰')
	case r >= '٠' && r <= '٩':
		return '0' + (r - '٠')
	case r == '،':
		return ','
	case r == '؛':
		return ';'
	case r == '؟':
		return '?'
	case r == '\u200c', r == '\u0640': // ZWNJ, tatweel
		return -1
	case r >= '\u064b' && r <= '\u065f', r == '\u0670': // harakat, superscript alef
		return -1
	}
	return r
}

func isThai(r rune) bool { return r >= 0x0E00 && r <= 0x0E7F }

func isArabicScript(r rune) bool {
	return (r >= 0x0600 && r <= 0x06FF) || (r >= 0x0750 && r <= 0x077F) || (r >= 0xFB50 && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF)
}

// vietnameseBase maps Vietnamese letters with diacritics to their bare
// Latin letter, for people who type without them ("giao hang nhanh").
var vietnameseBase = func() map[rune]rune {
	m := map[rune]rune{'đ': 'd', 'Đ': 'd'}
	groups := map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ",
		'e': "èéẻẽẹêềếểễệ",
		'i': "ìíỉĩị",
		'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự",
		'y': "ỳýỷỹỵ",
	}
	for base, letters := range groups {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()

// StripVietnamese removes Vietnamese diacritics from normalised text.
func StripVietnamese(s string) string {
	return strings.Map(func(r rune) rune {
		if b, ok := vietnameseBase[r]; ok {
			return b
		}
		return r
	}, s)
}
