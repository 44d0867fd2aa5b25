package text

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/touchpoint-cx/touchpoint"
)

// Doc is one text to group into themes.
type Doc struct {
	Text string
	// Language is the text's language; "" detects it.
	Language string
	// Sentiment, if known, is counted in the theme's sentiment.
	Sentiment string
}

// Group sorts texts into themes: the taxonomy topics they touch, and up to
// opts.Discover themes found in the texts' own words. It is what the
// feedback inbox and survey results show as "what people write about".
//
// A discovered theme starts from a key phrase many texts share: a word or
// two-word phrase that is not a stop word or a generic opinion word (in
// Thai, which has no spaces, a frequent run of Thai characters that starts
// and ends where syllables can). Phrases are ranked by how many texts use
// them; a phrase whose texts mostly belong to a theme already chosen joins
// it as a keyword instead of making a theme of its own. Phrases that are
// taxonomy keywords are left to the taxonomy.
//
// Themes come most common first; each lists its keywords, its count, the
// indexes of its texts, up to opts.Examples example texts, and how many of
// its texts are positive, neutral and negative.
func Group(docs []Doc, opts touchpoint.ThemeOptions) []touchpoint.TextTheme {
	if opts.Examples <= 0 {
		opts.Examples = 3
	}
	if opts.Discover == 0 {
		opts.Discover = 8
	}
	if opts.MinCount <= 0 {
		opts.MinCount = max(2, len(docs)/100)
	}
	type prepared struct {
		lang, norm string
	}
	prep := make([]prepared, len(docs))
	themes := make([]*touchpoint.TextTheme, len(taxonomy))
	keywordCount := make([]map[string]int, len(taxonomy))
	for i := range taxonomy {
		themes[i] = &touchpoint.TextTheme{Name: taxonomy[i].name, Kind: touchpoint.ThemeTaxonomy}
		keywordCount[i] = map[string]int{}
	}
	for i, d := range docs {
		lang := d.Language
		if lang == "" {
			lang = Detect(d.Text)
		}
		prep[i] = prepared{lang: lang}
		if !Supported(lang) {
			continue
		}
		prep[i].norm = Normalize(lang, d.Text)
		for t, kw := range topicHits(lang, prep[i].norm) {
			if kw != "" {
				themes[t].Texts = append(themes[t].Texts, i)
				keywordCount[t][kw]++
			}
		}
	}
	var out []*touchpoint.TextTheme
	for t, th := range themes {
		if len(th.Texts) > 0 {
			th.Keywords = topKeys(keywordCount[t], 5)
			out = append(out, th)
		}
	}

	if opts.Discover > 0 {
		// Document frequency of each candidate phrase, per language.
		df := map[string][]int{}
		thai := map[int][][]rune{}
		for i, p := range prep {
			if p.norm == "" {
				continue
			}
			for _, ph := range keyPhrases(p.lang, p.norm) {
				df[ph] = append(df[ph], i)
			}
			if p.lang == LangThai {
				for _, w := range Words(p.norm) {
					if isThai(firstRune(w)) {
						thai[i] = append(thai[i], []rune(w))
					}
				}
			}
		}
		for ph, texts := range thaiPhrases(thai, opts.MinCount) {
			df[ph] = texts
		}
		type cand struct {
			phrase string
			texts  []int
			score  float64
		}
		var cands []cand
		for ph, texts := range df {
			if len(texts) < opts.MinCount {
				continue
			}
			// Two-word phrases and longer Thai runs say more than one
			// word, so they get a head start over their parts.
			score := float64(len(texts)) * (1 + 0.15*float64(min(utf8.RuneCountInString(ph), 12))/12)
			if strings.Contains(ph, " ") {
				score *= 1.3
			}
			cands = append(cands, cand{ph, texts, score})
		}
		sort.Slice(cands, func(a, b int) bool {
			if cands[a].score != cands[b].score {
				return cands[a].score > cands[b].score
			}
			return cands[a].phrase < cands[b].phrase
		})
		var found []*touchpoint.TextTheme
		members := []map[int]bool{}
		for _, c := range cands {
			// A phrase inside a longer chosen phrase, or with its texts
			// mostly in a chosen theme, joins that theme.
			joined := false
			for k, th := range found {
				overlap := 0
				for _, i := range c.texts {
					if members[k][i] {
						overlap++
					}
				}
				// A keyword must share most of its texts with the theme and
				// cover a fair part of it, or a rare word that happens to
				// sit in a few of its texts would join.
				if 2*overlap >= len(c.texts) && 4*overlap >= len(th.Texts) || containsPhrase(th.Keywords, c.phrase) {
					if len(th.Keywords) < 5 && !containsPhrase(th.Keywords, c.phrase) {
						th.Keywords = append(th.Keywords, c.phrase)
					}
					joined = true
					break
				}
			}
			if joined || len(found) >= opts.Discover {
				continue
			}
			th := &touchpoint.TextTheme{Name: c.phrase, Kind: touchpoint.ThemeDiscovered, Keywords: []string{c.phrase}, Texts: slices.Clone(c.texts)}
			m := map[int]bool{}
			for _, i := range c.texts {
				m[i] = true
			}
			found = append(found, th)
			members = append(members, m)
		}
		out = append(out, found...)
	}

	result := make([]touchpoint.TextTheme, 0, len(out))
	for _, th := range out {
		th.Count = len(th.Texts)
		th.Examples = examples(docs, th.Texts, opts.Examples)
		for _, i := range th.Texts {
			switch docs[i].Sentiment {
			case touchpoint.SentimentPositive:
				th.Sentiment.Positive++
			case touchpoint.SentimentNeutral:
				th.Sentiment.Neutral++
			case touchpoint.SentimentNegative:
				th.Sentiment.Negative++
			}
		}
		result = append(result, *th)
	}
	sort.SliceStable(result, func(a, b int) bool { return result[a].Count > result[b].Count })
	return result
}

// containsPhrase reports whether p is one of, or part of one of, phrases.
func containsPhrase(phrases []string, p string) bool {
	for _, q := range phrases {
		if q == p || strings.Contains(q, p) || strings.Contains(p, q) {
			return true
		}
	}
	return false
}

func topKeys(m map[string]int, n int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if m[keys[a]] != m[keys[b]] {
			return m[keys[a]] > m[keys[b]]
		}
		return keys[a] < keys[b]
	})
	if len(keys) > n {
		keys = keys[:n]
	}
	return keys
}

// examples picks up to n texts of a theme to show: distinct ones of a
// readable length (20–300 characters) first, in input order.
func examples(docs []Doc, texts []int, n int) []string {
	out := []string{}
	seen := map[string]bool{}
	for pass := 0; pass < 2 && len(out) < n; pass++ {
		for _, i := range texts {
			if len(out) == n {
				break
			}
			t := strings.TrimSpace(docs[i].Text)
			l := utf8.RuneCountInString(t)
			if seen[t] || t == "" || pass == 0 && (l < 20 || l > 300) {
				continue
			}
			seen[t] = true
			out = append(out, truncate(t, 300))
		}
	}
	return out
}

// keyPhrases returns the distinct candidate key phrases of a normalised
// text.
func keyPhrases(lang, norm string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] && !taxonomyPhrase(lang, p) {
			seen[p] = true
			out = append(out, p)
		}
	}
	if lang == LangThai {
		// Thai runs are found across all texts by thaiPhrases; Latin
		// words inside Thai text (brand names, mostly) are kept here.
		for _, tok := range Words(norm) {
			if !isThai(firstRune(tok)) && !stopword(LangEnglish, tok) && len(tok) > 2 {
				add(tok)
			}
		}
		return out
	}
	stop := func(w string) bool {
		return stopword(lang, w) || utf8.RuneCountInString(w) < 2 || unicode.IsDigit(firstRune(w))
	}
	// Phrases do not cross punctuation.
	var clause []string
	flush := func() {
		for i, w := range clause {
			if stop(w) {
				continue
			}
			// Vietnamese words are mostly two syllables: a lone
			// syllable is rarely a theme.
			if lang != LangVietnamese {
				add(w)
			}
			if i+1 < len(clause) && !stop(clause[i+1]) {
				add(w + " " + clause[i+1])
			}
		}
		clause = clause[:0]
	}
	for _, t := range Tokens(norm) {
		if isWord(t) {
			clause = append(clause, t)
		} else {
			flush()
		}
	}
	flush()
	return out
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// thaiSubstrings calls fn with every substring of a run of Thai text, 3
// to 12 characters long, that begins and ends where a syllable may: not
// on a vowel sign or tone mark that belongs to the letter before it, and
// not right after a leading vowel (เ แ โ ใ ไ), which belongs to the letter
// after it. left and right are the characters around the substring (0 at
// the ends of the run).
func thaiSubstrings(rs []rune, fn func(p string, left, right rune)) {
	for i := 0; i < len(rs); i++ {
		if !thaiBoundary(rs, i) {
			continue
		}
		for j := i + 3; j <= len(rs) && j-i <= 12; j++ {
			if !thaiBoundary(rs, j) {
				continue
			}
			var left, right rune
			if i > 0 {
				left = rs[i-1]
			}
			if j < len(rs) {
				right = rs[j]
			}
			fn(string(rs[i:j]), left, right)
		}
	}
}

// thaiBoundary reports whether a syllable may begin at rs[i].
func thaiBoundary(rs []rune, i int) bool {
	if i == 0 || i == len(rs) {
		return true
	}
	r := rs[i]
	if r >= 0x0E30 && r <= 0x0E3A || r == 0x0E45 || r >= 0x0E47 && r <= 0x0E4E {
		return false
	}
	return !thaiLeadingVowel(rs[i-1])
}

func thaiLeadingVowel(r rune) bool { return r >= 'เ' && r <= 'ไ' }

// thaiPhrases finds Thai key phrases without a dictionary: substrings
// used by at least minCount texts whose neighbours vary. A piece of a
// word always has the same letters around it ("ล้ว" is always inside
// "แล้ว"), while a word appears beside many different ones; no single
// neighbour may account for more than half of a phrase's occurrences on
// either side (accessor variety, as used for finding words in unsegmented
// Chinese). It returns each phrase's texts.
func thaiPhrases(runs map[int][][]rune, minCount int) map[string][]int {
	df := map[string]int{}
	last := map[string]int{}
	order := make([]int, 0, len(runs))
	for i := range runs {
		order = append(order, i)
	}
	slices.Sort(order)
	for _, i := range order {
		for _, rs := range runs[i] {
			thaiSubstrings(rs, func(p string, _, _ rune) {
				if n, ok := last[p]; !ok || n != i+1 {
					last[p] = i + 1
					df[p]++
				}
			})
		}
	}
	type stats struct {
		texts       []int
		left, right map[rune]int
		n           int
	}
	cand := map[string]*stats{}
	for p, n := range df {
		if n >= minCount && !stopword(LangThai, p) && !taxonomyPhrase(LangThai, p) && !thaiFragment(p) {
			cand[p] = &stats{left: map[rune]int{}, right: map[rune]int{}}
		}
	}
	for _, i := range order {
		for _, rs := range runs[i] {
			thaiSubstrings(rs, func(p string, l, r rune) {
				st := cand[p]
				if st == nil {
					return
				}
				if len(st.texts) == 0 || st.texts[len(st.texts)-1] != i {
					st.texts = append(st.texts, i)
				}
				st.n++
				st.left[l]++
				st.right[r]++
			})
		}
	}
	out := map[string][]int{}
	for p, st := range cand {
		if dominant(st.left, st.n) || dominant(st.right, st.n) {
			continue
		}
		out[p] = st.texts
	}
	return out
}

// thaiFragment reports a run that is a stop word with one letter of the
// next or previous word stuck to it ("นนี้" from "ร้านนี้"): the letter
// is a final consonant, not part of a word of its own.
func thaiFragment(p string) bool {
	rs := []rune(p)
	return stopword(LangThai, string(rs[1:])) || stopword(LangThai, string(rs[:len(rs)-1]))
}

// dominant reports whether one neighbour (other than a run boundary)
// accounts for more than half of n occurrences.
func dominant(neighbours map[rune]int, n int) bool {
	for r, c := range neighbours {
		if r != 0 && 2*c > n {
			return true
		}
	}
	return false
}

func stopword(lang, w string) bool { return stopwords[lang][w] }

// taxonomyPhrase reports whether a phrase is, or holds, a keyword of the
// taxonomy (in Thai, also part of one): such texts are the taxonomy's.
func taxonomyPhrase(lang, p string) bool {
	for _, kw := range topicHits(lang, p) {
		if kw != "" {
			return true
		}
	}
	if lang == LangThai {
		for _, kws := range lexicons[LangThai].topics {
			for _, k := range kws {
				if strings.Contains(k.text, p) {
					return true
				}
			}
		}
	}
	return false
}

// stopwords are the function words and generic opinion words ("good",
// "very") that make poor themes in each language.
var stopwords = map[string]map[string]bool{
	LangEnglish: set(`a about above after again against all also am an and any are aren't as at be because been before being below between both but by
		can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from further had hadn't has hasn't have haven't
		having he her here hers herself him himself his how i i'm i've if in into is isn't it it's its itself just let's me more most my myself no nor not
		of off on once only or other ought our ours ourselves out over own same she should shouldn't so some such than that that's the their theirs them
		themselves then there there's these they they're this those through to too under until up very was wasn't we we're were weren't what when where
		which while who whom why will with won't would wouldn't you you're your yours yourself yourselves
		good great bad nice best better worst worse excellent awesome amazing terrible horrible awful love loved like liked really well even ever
		get got one would also much many lot place time back go went make made will definitely pretty ok okay first still thing things way
		recommend highly happy disappointed fine perfect beautiful cute wear wore little bit
		may might must shall something anything everything nothing someone anyone everyone person people want wanted need needed
		especially usually though although however since yet already always often sometimes maybe probably actually
		bought buy purchased purchase added say said know knew think thought look looked looks looking feel felt see saw use used
		try tried come came take took give gave keep kept put find found two three new old big lot lots day days`),
	LangVietnamese: set(`và là có không được của cho một những các này đó rất quá lắm nhưng thì mà với đã đang sẽ cũng vẫn nên phải
		tôi mình em anh chị bạn họ chúng ta nó ở trong ngoài trên dưới khi nào gì sao thế vì nếu để làm đi đến về ra vào
		nhiều ít hơn nữa rồi chưa hay tốt dở thấy biết muốn cần thể như vậy còn theo từ bị lại hết luôn thêm cả mọi
		hiểu học giúp dạy môn`),
	LangThai: set(`ที่ และ ไม่ ครับ ค่ะ คะ นะ จ้า จ้ะ มาก ได้ ให้ ของ เป็น มี ใน การ ว่า จะ ก็ แล้ว กับ ไป มา อยู่ คือ นี้ นั้น
		เลย ด้วย แต่ หรือ อะไร ยัง ทำ เรา ผม ฉัน คุณ เขา ดี ชอบ สุด จริง อีก เอง กัน ถ้า เพราะ ซึ่ง ตอน วัน ครั้ง
		กว่า มัน ใช้ ต้อง อยาก ประ อร์ แบบ ตอนนี้ เค้า อัน คน ตัว บ้าง คับ ก้อ ทุก เรื่อง ถึง ไหม เห็น บอก ขอ ทำไม เท่า
		ความ จาก เอา กำลัง หลัง ก่อน กับ เพื่อ ส่วน อย่าง ต่อ ทาง เมื่อ ลอง ตอนแรก นั่น ทั้ง นี่ ไม่ได้ ลัง กระ ใคร`),
	LangPersian: set(`و در به از که این را با است برای آن یک هم تا بر می شود هست نیست بود شد کرد کند کرده باشد های ها ای
		خیلی بسیار من ما شما او آنها اما ولی اگر چه چون یا نه هر همه دیگر خود بی روی پس نیز کاملا واقعا
		خوب بد عالی خوبی بدی زیاد کم بیشتر کمتر داره دارد ندارد دارند داشت
		رو شده نظر استفاده کنه کنید میشه هستش خودش دیگه خوبیه کنم کنن بهترین بهتر گفت
		باید نسبت کار البته حتی فقط اینکه وقتی چون هنوز الان`),
}
