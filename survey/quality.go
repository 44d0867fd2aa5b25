package survey

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/touchpoint-cx/touchpoint"
	"golang.org/x/text/unicode/norm"
)

// Thresholds of the quality flags.
const (
	// speederSeconds: answering question after question faster than this,
	// on average, is faster than anyone reads.
	speederSeconds = 1.5
	// speederMinAnswers: below three answers there is no pace to judge
	// (one click in an email answers the first question at once).
	speederMinAnswers = 3
	// straightLineMin scale answers all at the same point of their scales
	// make a straight line.
	straightLineMin = 3
	// duplicateWindow: a second response from the same customer, or with
	// the same comment, within this window is a duplicate.
	duplicateWindow = 24 * time.Hour
	// duplicateMinText: shorter comments ("good", "ok") repeat honestly.
	duplicateMinText = 12
)

// QualityFlags judges a response against the survey and the survey's other
// recent responses (newest first; r itself may be among them).
func QualityFlags(s *touchpoint.Survey, r *touchpoint.Response, recent []*touchpoint.Response) []string {
	flags := []string{}
	if Speeder(r.Answers) {
		flags = append(flags, touchpoint.FlagSpeeder)
	}
	if StraightLine(s, r.Answers) {
		flags = append(flags, touchpoint.FlagStraightLine)
	}
	if Duplicate(r, recent) {
		flags = append(flags, touchpoint.FlagDuplicate)
	}
	for _, a := range r.Answers {
		if a.Text != "" && Gibberish(a.Text) {
			flags = append(flags, touchpoint.FlagGibberish)
			break
		}
	}
	return flags
}

// Speeder reports answers given too fast to have been read: at least
// three, at under 1.5 s apiece between the first and the last.
func Speeder(answers []touchpoint.Answer) bool {
	var times []time.Time
	for _, a := range answers {
		if !a.Skipped && !a.At.IsZero() {
			times = append(times, a.At)
		}
	}
	if len(times) < speederMinAnswers {
		return false
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	pace := times[len(times)-1].Sub(times[0]).Seconds() / float64(len(times)-1)
	return pace < speederSeconds
}

// StraightLine reports three or more scale answers all at the same point
// of their scales (all lowest, all highest, all in the middle…).
func StraightLine(s *touchpoint.Survey, answers []touchpoint.Answer) bool {
	var points []float64
	for _, a := range answers {
		q := s.Question(a.QuestionID)
		if q == nil || !q.Type.Scored() || a.Score == nil {
			continue
		}
		lo, hi := q.Scale()
		points = append(points, (*a.Score-lo)/(hi-lo))
	}
	if len(points) < straightLineMin {
		return false
	}
	for _, p := range points[1:] {
		if p != points[0] {
			return false
		}
	}
	return true
}

// Duplicate reports whether another response to the same survey in the
// day before r came from the same customer or carries the same comment.
func Duplicate(r *touchpoint.Response, recent []*touchpoint.Response) bool {
	comment := normalizeText(r.Comment)
	for _, o := range recent {
		if o.ID == r.ID || o.SurveyID != r.SurveyID || o.StartedAt.After(r.StartedAt) || r.StartedAt.Sub(o.StartedAt) > duplicateWindow {
			continue
		}
		if o.CustomerKey == r.CustomerKey && len(o.Answers) > 0 {
			return true
		}
		if len([]rune(comment)) >= duplicateMinText && normalizeText(o.Comment) == comment {
			return true
		}
	}
	return false
}

func normalizeText(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }), " ")
}

// keyboardRuns are stretches of keyboard rows people mash.
var keyboardRuns = []string{"qwer", "wert", "erty", "rtyu", "tyui", "yuio", "uiop", "asdf", "sdfg", "dfgh", "fghj", "ghjk", "hjkl",
	"zxcv", "xcvb", "cvbn", "vbnm", "lkjh", "kjhg", "jhgf", "hgfd", "gfds", "fdsa", "poiu", "oiuy", "iuyt", "mnbv", "nbvc"}

// Gibberish reports text that is keyboard mashing rather than words:
// one letter repeated ("aaaaaa"), stretches of keyboard
// rows ("asdfgh", "qwerty"), or Latin-script words of six or more letters
// without a vowel ("xkcdtzq"). It errs on the side of real comments: short
// texts, laughter ("555", "hahaha"), drawn-out words ("ว้าววววว") and
// every script but Latin are judged only by repetition.
func Gibberish(text string) bool {
	var letters []rune
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) {
			letters = append(letters, r)
		}
	}
	if len(letters) < 5 {
		return false
	}
	distinct := map[rune]bool{}
	for _, r := range letters {
		distinct[r] = true
	}
	if len(distinct) == 1 {
		return true
	}
	// Keyboard runs covering most of the letters.
	joined := string(letters)
	covered := make([]bool, len(joined))
	for _, run := range keyboardRuns {
		for i := 0; ; {
			j := strings.Index(joined[i:], run)
			if j < 0 {
				break
			}
			for k := i + j; k < i+j+len(run); k++ {
				covered[k] = true
			}
			i += j + 1
		}
	}
	n := 0
	for _, c := range covered {
		if c {
			n++
		}
	}
	if n*2 > len(joined) {
		return true
	}
	// Latin words without vowels.
	var latin, vowelless int
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if !isLatin(w) {
			continue
		}
		l := len([]rune(w))
		latin += l
		if l >= 6 && !hasVowel(w) {
			vowelless += l
		}
	}
	return latin >= 6 && vowelless*2 > len(letters)
}

func isLatin(w string) bool {
	for _, r := range w {
		if !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

// hasVowel looks at base letters, so Vietnamese ư, ơ, ầ… count as vowels.
func hasVowel(w string) bool {
	for _, r := range norm.NFD.String(w) {
		if strings.ContainsRune("aeiouy", r) {
			return true
		}
	}
	return false
}
