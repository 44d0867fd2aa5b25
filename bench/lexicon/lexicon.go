package lexicon

import (
	"strings"

	"github.com/touchpoint-cx/touchpoint/text"
)

// Baseline is a lexicon method as a text.Classifier. A score above the
// neutral band is positive, below it negative, inside it neutral. For the
// positive-vs-negative comparison only the sign counts, and a score of
// exactly zero (no opinion word found) goes to Tie, which the evaluation
// sets to the more frequent of the two classes in the training part: the
// most a method that abstains could score.
type Baseline struct {
	Score func(string) float64
	// Band is the half-width of the neutral band (VADER's is 0.05).
	Band float64
	Tie  int
}

// Predict implements text.Classifier.
func (b Baseline) Predict(s string) text.Prediction {
	v := b.Score(s)
	class := text.ClassNeutral
	switch {
	case v >= b.Band && v > 0:
		class = text.ClassPositive
	case v <= -b.Band && v < 0:
		class = text.ClassNegative
	}
	polar := b.Tie
	if v > 0 {
		polar = text.ClassPositive
	} else if v < 0 {
		polar = text.ClassNegative
	}
	// Probabilities that make Class() the class and Polarity() the sign.
	var p text.Prediction
	p.Probs[polar] = 0.3
	p.Probs[3-polar-text.ClassNeutral] = 0.1 // the other polar class
	if class == text.ClassNeutral {
		p.Probs[text.ClassNeutral] = 0.6
	} else {
		p.Probs[text.ClassNeutral] = 0.05
		p.Probs[polar] = 0.85
	}
	return p
}

// For returns the lexicon baseline of a language: VADER for English, the
// hand-written word lists below for the others.
func For(lang string, tie int) Baseline {
	if lang == text.LangEnglish {
		return Baseline{Score: VADER, Band: 0.05, Tie: tie}
	}
	l := lists[lang]
	return Baseline{Score: func(s string) float64 { return l.score(lang, s) }, Band: 0.5, Tie: tie}
}

type wordLists struct {
	pos, neg, negators []string
}

// score counts positive words minus negative ones in normalised text; a
// word right after a negator counts the other way.
func (l wordLists) score(lang, s string) float64 {
	norm := text.Normalize(lang, s)
	if lang != text.LangThai {
		norm = " " + strings.Join(text.Words(norm), " ") + " "
	}
	var total float64
	count := func(words []string, sign float64) {
		for _, w := range words {
			needle := w
			if lang != text.LangThai {
				needle = " " + w + " "
			}
			for off := 0; ; {
				i := strings.Index(norm[off:], needle)
				if i < 0 {
					break
				}
				at := off + i
				v := sign
				if l.negatedAt(lang, norm, at) {
					v = -v
				}
				total += v
				off = at + len(needle)
			}
		}
	}
	count(l.pos, 1)
	count(l.neg, -1)
	return total
}

func (l wordLists) negatedAt(lang, norm string, at int) bool {
	before := strings.TrimRight(norm[:at], " ")
	for _, n := range l.negators {
		if strings.HasSuffix(before, n) && (lang == text.LangThai || strings.HasSuffix(" "+before, " "+n)) {
			return true
		}
	}
	return false
}

// Small polarity lexicons, written for this baseline: common opinion words
// of customer comments in each language.
var lists = map[string]wordLists{
	text.LangVietnamese: {
		pos:      strings.Split("tốt|hay|đẹp|tuyệt vời|hài lòng|nhiệt tình|thích|ổn|nhanh|dễ hiểu|tận tâm|vui|hữu ích|xuất sắc|chất lượng|chu đáo|thân thiện|rẻ|bổ ích|cảm ơn|tuyệt|ok|hấp dẫn|đáng|yêu", "|"),
		neg:      strings.Split("tệ|dở|kém|chán|chậm|thất vọng|khó hiểu|xấu|lỗi|hỏng|đắt|khó|tồi|buồn|phí|nhàm|kém chất lượng|lâu|ồn|thiếu|không hiểu|áp lực|mệt|vô ích", "|"),
		negators: []string{"không", "chưa", "chẳng", "chả", "không được", "không có"},
	},
	text.LangThai: {
		pos:      strings.Split("ดีมาก|ดี|ชอบ|อร่อย|สวย|ประทับใจ|คุ้ม|เยี่ยม|สุดยอด|ถูกใจ|รัก|น่ารัก|สะดวก|เร็ว|แนะนำ|ขอบคุณ|โอเค|ปลื้ม|หอม|สบาย", "|"),
		neg:      strings.Split("แย่|ไม่ดี|ห่วย|ผิดหวัง|แพง|ช้า|เสีย|โกง|เกลียด|เบื่อ|น่าเกลียด|เหม็น|พัง|ไม่อร่อย|ไม่ชอบ|เสียดาย|โมโห|ปัญหา|ยุ่งยาก|แย่มาก", "|"),
		negators: []string{"ไม่"},
	},
	text.LangPersian: {
		pos:      strings.Split("خوب|عالی|بهترین|راضی|زیبا|قوی|مناسب|سریع|خوش|عالیه|خوبه|ارزش|بی نظیر|فوق العاده|پیشنهاد|دوست دارم|کیفیت بالا|شیک|راحت|روان", "|"),
		neg:      strings.Split("بد|ضعیف|افتضاح|گران|خراب|کند|ناراضی|مشکل|ایراد|بدترین|متاسفانه|اصلا|ضعف|داغ|نمیکنه|نداره|نیست|کم|بده|گرونه", "|"),
		negators: []string{"نه", "اصلا"},
	},
}
