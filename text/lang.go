package text

import (
	"strings"
	"unicode"

	"github.com/touchpoint-cx/touchpoint"
)

// The languages this package reads, as the root package names them.
const (
	LangEnglish      = touchpoint.LangEnglish
	LangVietnamese   = touchpoint.LangVietnamese
	LangThai         = touchpoint.LangThai
	LangPersian      = touchpoint.LangPersian
	LangUndetermined = touchpoint.LangUndetermined
)

// Languages lists the languages with built-in models, in a stable order.
func Languages() []string {
	return []string{LangEnglish, LangVietnamese, LangThai, LangPersian}
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	switch lang {
	case LangEnglish, LangVietnamese, LangThai, LangPersian:
		return true
	}
	return false
}

// ParseLanguage reads a language code given by a user ("vi", "VI", "vi-VN").
// Returns EINVALID naming field for anything else.
func ParseLanguage(field, s string) (string, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	if !Supported(l) {
		return "", touchpoint.FieldError(field, "unsupported language %q (want en, vi, th or fa)", s)
	}
	return l, nil
}

// Detect returns the language of s: en, vi, th or fa, or "und" when it is
// none of these or there is too little to tell.
//
// The script decides first: Thai letters mean Thai; Arabic-script letters
// mean Persian unless the text reads as Arabic (Arabic-only letters and
// words outweigh Persian-only ones). Latin text is Vietnamese when it has
// letters only Vietnamese uses (ă, đ, ơ, ư, the stacked tone marks) or more
// common Vietnamese words than English ones — which also catches Vietnamese
// typed without diacritics — and English when it has common English words
// and no stronger sign of another Latin language.
func Detect(s string) string {
	var thai, arabic, latin, viLetters int
	for _, r := range s {
		switch {
		case isThai(r):
			if unicode.IsLetter(r) {
				thai++
			}
		case isArabicScript(r):
			if unicode.IsLetter(r) {
				arabic++
			}
		case unicode.Is(unicode.Latin, r):
			latin++
			if isVietnameseLetter(unicode.ToLower(r)) {
				viLetters++
			}
		}
	}
	switch {
	case thai == 0 && arabic == 0 && latin == 0:
		return LangUndetermined
	case thai >= arabic && thai >= latin:
		return LangThai
	case arabic >= latin:
		if persianOrArabic(s) {
			return LangPersian
		}
		return LangUndetermined
	}
	return latinLanguage(s, viLetters)
}

// isVietnameseLetter reports letters that Vietnamese uses and the other
// common Latin-script languages do not.
func isVietnameseLetter(r rune) bool {
	switch r {
	case 'ă', 'đ', 'ơ', 'ư', 'ĩ', 'ũ':
		return true
	}
	return r >= 0x1EA0 && r <= 0x1EF9 // Latin Extended Additional: ạ ả ấ … ỹ
}

func persianOrArabic(s string) bool {
	var fa, ar int
	for _, r := range s {
		switch r {
		case 'پ', 'چ', 'ژ', 'گ', 'ی', 'ک':
			fa++
		case 'ة', 'ى', 'إ', 'أ':
			ar++
		}
	}
	for _, w := range strings.FieldsFunc(Normalize(LangPersian, s), notWordRune) {
		if persianWords[w] {
			fa += 2
		}
	}
	// Arabic words are compared before normalisation, which would turn
	// their yeh and kaf into the Persian letters.
	for _, w := range strings.FieldsFunc(s, notWordRune) {
		if arabicWords[w] {
			ar += 2
		}
		if strings.HasPrefix(w, "ال") && len([]rune(w)) > 3 {
			ar++
		}
	}
	return fa >= ar
}

func latinLanguage(s string, viLetters int) string {
	words := strings.FieldsFunc(strings.ToLower(s), notWordRune)
	if len(words) == 0 {
		return LangUndetermined
	}
	var vi, en, other int
	for _, w := range words {
		// A word both languages use ("long", "hang") counts for neither.
		isVi := vietnameseWords[w] || vietnameseWords[StripVietnamese(w)]
		switch {
		case isVi && !englishWords[w]:
			vi++
		case englishWords[w] && !isVi:
			en++
		}
		if otherLatinWords[w] {
			other++
		}
	}
	switch {
	case viLetters > 0 && viLetters*8 >= len(words):
		// One Vietnamese letter in eight words is more than a borrowed name.
		return LangVietnamese
	case vi > en && vi >= 2 || vi > en && vi == len(words):
		return LangVietnamese
	case en > 0 && en >= other:
		return LangEnglish
	case viLetters > 0:
		return LangVietnamese
	}
	return LangUndetermined
}

func notWordRune(r rune) bool {
	return !(unicode.IsLetter(r) || unicode.IsMark(r) || r == '\'')
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// englishWords are frequent English words and the words customers use most
// in short comments ("great service", "love it"), which carry no
// stop words.
var englishWords = set(`the a an and or but is are was were be been being am i me my mine we our us you your it its this that these those
	he she they them their his her of to in on at for with from by as not no never very so too much many more most just only also
	have has had do does did don't didn't doesn't isn't wasn't won't can't cannot could would should will can
	what when where which who why how all any some there here then than if because about after before again out up down off over
	get got go went come came make made take took give gave know think want need like love hate thank thanks please
	good great excellent amazing awesome nice fine ok okay bad terrible awful horrible poor worst best better worse happy sad disappointed
	disappointing fast slow quick late early cheap expensive price prices quality service services staff support customer delivery delivered
	shipping order ordered product products item items app website site store shop experience recommend refund return returned waiting wait
	friendly rude helpful useless broken perfect beautiful easy hard difficult problem problems issue issues money time day days week weeks
	really well still even ever again now new old first last one two every lot little`)

// vietnameseWords are frequent Vietnamese words, with and without
// diacritics (the bare forms catch text typed without them).
var vietnameseWords = set(`và là có không được của cho một những các này đó rất quá lắm nhưng thì mà với đã đang sẽ cũng vẫn nên phải
	tôi mình em anh chị bạn họ chúng ta nó hàng giao nhanh chậm tốt xấu đẹp giá rẻ đắt sản phẩm shop nhân viên dịch vụ chất lượng
	hài lòng thất vọng cảm ơn mua bán tiền lần nữa rồi chưa hơn nhiều ít thấy biết muốn cần làm đi đến về ra vào khi nào gì sao thế
	oke okie hay dở tệ ổn thích ghét giảng viên môn học sinh viên thầy cô
	va la co khong duoc cua cho mot nhung cac nay rat qua lam thi voi da dang cung van nen phai
	toi minh chi ho chung nhanh cham tot xau dep gia re dat san pham nhan vien dich vu chat luong
	hai long vong cam mua tien lan nua roi chua hon nhieu thay biet muon khi nao gi sao
	thich ghet giang mon hoc sinh dong goi ship sp ko k dc nv oi nhe nha lam giao hang`)

var otherLatinWords = set(`le la les des est et une un du que qui pas pour dans avec sur très merci bien mais
	el los las y es en por para con muy gracias pero del al lo
	o os um uma não com obrigado muito mas
	der die das und ist nicht ein eine mit sehr danke aber auch zu
	il di che è per non sono molto grazie ma
	het een niet met zeer dank maar ook
	yang dan tidak ini itu dengan untuk sangat terima kasih tapi`)

var persianWords = set(`است این را که از به با برای در می و هم هست نیست بود خیلی بسیار شما آن اما ولی یک چه خوب بد خرید کالا محصول
	ارسال قیمت گوشی کیفیت عالی هستم نمی دیجی کالا واقعا`)

var arabicWords = set(`في من على الذي التي هذا هذه أن إلى عن كان لا ما هو هي مع جدا شكرا لكن ذلك كل قد`)
