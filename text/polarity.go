package text

import "strings"

// Polarity seeds: opinion words of customer comments, written for each
// language. With FeatureConfig.Lexicon a model gets features that count
// the seeds a text holds (positive, negative, and either one negated). The
// model learns how much those counts weigh from its training data, like
// any other feature, so a seed word it never saw in training ("rude" in a
// model trained on phone reviews) still pulls its text the right way.
//
// Keywords follow the taxonomy's conventions: space-separated, "_" joins
// a phrase, a trailing * lets a word run on; Thai seeds match anywhere.
var polaritySeeds = map[string][2]string{
	LangEnglish: {
		"good great excellent amazing awesome fantastic wonderful perfect love loved lovely nice happy pleased satisfied " +
			"friendly helpful polite quick fast easy smooth reliable recommend* beautiful comfortable delicious fresh clean best " +
			"impressed superb brilliant outstanding thanks enjoyed",
		"bad terrible awful horrible poor worst hate* hated disappoint* rude slow late broken broke useless waste " +
			"overpriced dirty damaged defective faulty annoying frustrating frustrated " +
			"unhelpful unfriendly careless scam angry upset sucks crap mediocre bland",
	},
	LangVietnamese: {
		"tốt hay đẹp tuyệt_vời hài_lòng nhiệt_tình thích ổn nhanh dễ_hiểu tận_tâm vui hữu_ích xuất_sắc chu_đáo thân_thiện " +
			"bổ_ích cảm_ơn tuyệt hấp_dẫn đáng_tiền yêu ưng ưng_ý chất_lượng_tốt rẻ_đẹp nhiệt_huyết dễ_thương tận_tình ủng_hộ",
		"tệ dở kém chán chậm thất_vọng khó_hiểu xấu lỗi hỏng đắt tồi buồn phí nhàm lâu thiếu áp_lực mệt vô_ích " +
			"lừa_đảo bực thô_lỗ trễ hư rách bẩn cẩu_thả không_nên_mua kém_chất_lượng nhàm_chán",
	},
	LangThai: {
		"ดีมาก ชอบ อร่อย สวย ประทับใจ คุ้ม เยี่ยม สุดยอด ถูกใจ น่ารัก สะดวก รวดเร็ว แนะนำ ขอบคุณ ปลื้ม สบาย ดีเยี่ยม เลิศ ชอบมาก",
		"แย่ ห่วย ผิดหวัง แพง ช้า โกง เกลียด เบื่อ เหม็น พัง ไม่อร่อย เสียดาย โมโห ยุ่งยาก แย่มาก ไม่ประทับใจ หงุดหงิด ไม่พอใจ ขยะ เซ็ง",
	},
	LangPersian: {
		"خوب عالی بهترین راضی زیبا قوی مناسب سریع خوش عالیه خوبه ارزش بی_نظیر فوق_العاده پیشنهاد دوست_دارم شیک راحت روان " +
			"ممتاز باکیفیت بی_نقص جذاب لذت* کارآمد رضایت",
		"بد ضعیف افتضاح خراب کند ناراضی مشکل* ایراد* بدترین متاسفانه ضعف داغ نمیکنه گران گرون کم بده گرونه اشکال* نارضایتی " +
			"افتضاحه بی_کیفیت معیوب پشیمان* اذیت* ضعیفه بدی ناامید* خرابه",
	},
}

var polarityLex = func() map[string][2][]keyword {
	out := map[string][2][]keyword{}
	for lang, seeds := range polaritySeeds {
		var kws [2][]keyword
		for i, list := range seeds {
			for _, k := range strings.Fields(list) {
				kws[i] = append(kws[i], compileKeyword(lang, strings.ReplaceAll(k, "_", " ")))
			}
		}
		out[lang] = kws
	}
	return out
}()

var thaiNegator = "ไม่"

// polarityCounts counts the positive and negative seeds in normalised
// text, and those of each kind that follow a negator.
func polarityCounts(lang, norm string) (pos, neg, negPos, negNeg int) {
	lex, ok := polarityLex[lang]
	if !ok {
		return
	}
	if lang == LangThai {
		for i, kws := range lex {
			for _, k := range kws {
				for off := 0; ; {
					j := strings.Index(norm[off:], k.text)
					if j < 0 {
						break
					}
					at := off + j
					negated := strings.HasSuffix(norm[:at], thaiNegator)
					switch {
					case i == 0 && negated:
						negPos++
					case i == 0:
						pos++
					case negated:
						negNeg++
					default:
						neg++
					}
					off = at + len(k.text)
				}
			}
		}
		return
	}
	words := Tokens(norm)
	bare := lang == LangVietnamese && StripVietnamese(norm) == norm
	negatedAt := func(i int) bool {
		for k := i - 1; k >= 0 && k >= i-3; k-- {
			w := words[k]
			if isClauseEnd(w) {
				return false
			}
			if negators[w] || strings.HasSuffix(w, "n't") || vietnameseNegators[w] || lang == LangPersian && w == "نه" {
				return true
			}
		}
		return false
	}
	for i := range words {
		for c, kws := range lex {
			for _, k := range kws {
				if !matchAt(words, i, k, bare) {
					continue
				}
				n := negatedAt(i)
				switch {
				case c == 0 && n:
					negPos++
				case c == 0:
					pos++
				case n:
					negNeg++
				default:
					neg++
				}
				break
			}
		}
	}
	return
}

var vietnameseNegators = set("không chưa chẳng chả khong chua chang cha")

// matchAt reports whether keyword k starts at words[i].
func matchAt(words []string, i int, k keyword, bare bool) bool {
	n := len(k.words)
	if n == 0 || i+n > len(words) {
		return false
	}
	for j := 0; j < n; j++ {
		want, got := k.words[j], words[i+j]
		if bare {
			want = StripVietnamese(want)
		}
		if j == n-1 && k.prefix {
			if !strings.HasPrefix(got, want) {
				return false
			}
		} else if got != want {
			return false
		}
	}
	return true
}
