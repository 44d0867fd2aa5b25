package touchpoint

import "maps"

// Built-in survey texts: the standard questions and the words of the survey
// page and widget, in every language Touchpoint analyses. A survey made
// from a type alone ({"type":"nps"}) can be shown in all of them.

// BuiltinLanguages lists the languages with built-in survey texts.
func BuiltinLanguages() []string {
	return []string{LangEnglish, LangVietnamese, LangThai, LangPersian}
}

var standardTexts = map[string]map[QuestionType]string{
	LangEnglish: {
		QuestionNPS:     "How likely are you to recommend us to a friend or colleague?",
		QuestionCSAT:    "How satisfied were you with your experience?",
		QuestionCES:     "How easy was it to get what you needed?",
		QuestionProduct: "How satisfied are you with the product?",
		QuestionText:    "What is the main reason for your score?",
	},
	LangVietnamese: {
		QuestionNPS:     "Bạn có sẵn lòng giới thiệu chúng tôi cho bạn bè hoặc đồng nghiệp không?",
		QuestionCSAT:    "Bạn hài lòng thế nào với trải nghiệm của mình?",
		QuestionCES:     "Việc giải quyết nhu cầu của bạn dễ dàng đến mức nào?",
		QuestionProduct: "Bạn hài lòng thế nào với sản phẩm?",
		QuestionText:    "Lý do chính cho điểm số của bạn là gì?",
	},
	LangThai: {
		QuestionNPS:     "คุณมีแนวโน้มที่จะแนะนำเราให้เพื่อนหรือเพื่อนร่วมงานมากน้อยเพียงใด",
		QuestionCSAT:    "คุณพึงพอใจกับประสบการณ์ของคุณมากน้อยเพียงใด",
		QuestionCES:     "การได้รับสิ่งที่คุณต้องการนั้นง่ายเพียงใด",
		QuestionProduct: "คุณพึงพอใจกับผลิตภัณฑ์มากน้อยเพียงใด",
		QuestionText:    "เหตุผลหลักที่คุณให้คะแนนนี้คืออะไร",
	},
	LangPersian: {
		QuestionNPS:     "چقدر احتمال دارد ما را به یک دوست یا همکار توصیه کنید؟",
		QuestionCSAT:    "چقدر از تجربه خود راضی بودید؟",
		QuestionCES:     "رسیدن به آنچه نیاز داشتید چقدر آسان بود؟",
		QuestionProduct: "چقدر از محصول راضی هستید؟",
		QuestionText:    "دلیل اصلی امتیاز شما چیست؟",
	},
}

// builtinLabels are the words at the two ends of each standard scale.
var builtinLabels = map[string]map[QuestionType][2]string{
	LangEnglish: {
		QuestionNPS:     {"Not at all likely", "Extremely likely"},
		QuestionCSAT:    {"Very dissatisfied", "Very satisfied"},
		QuestionCES:     {"Very difficult", "Very easy"},
		QuestionProduct: {"Very dissatisfied", "Very satisfied"},
	},
	LangVietnamese: {
		QuestionNPS:     {"Hoàn toàn không", "Chắc chắn có"},
		QuestionCSAT:    {"Rất không hài lòng", "Rất hài lòng"},
		QuestionCES:     {"Rất khó", "Rất dễ"},
		QuestionProduct: {"Rất không hài lòng", "Rất hài lòng"},
	},
	LangThai: {
		QuestionNPS:     {"ไม่แนะนำเลย", "แนะนำอย่างยิ่ง"},
		QuestionCSAT:    {"ไม่พอใจมาก", "พอใจมาก"},
		QuestionCES:     {"ยากมาก", "ง่ายมาก"},
		QuestionProduct: {"ไม่พอใจมาก", "พอใจมาก"},
	},
	LangPersian: {
		QuestionNPS:     {"اصلاً", "بسیار زیاد"},
		QuestionCSAT:    {"بسیار ناراضی", "بسیار راضی"},
		QuestionCES:     {"بسیار دشوار", "بسیار آسان"},
		QuestionProduct: {"بسیار ناراضی", "بسیار راضی"},
	},
}

var uiStrings = map[string]map[string]string{
	LangEnglish: {
		"submit": "Submit", "next": "Next", "skip": "Skip", "close": "Close",
		"thank_you":        "Thank you for your feedback!",
		"already_answered": "You have already answered this survey. Thank you!",
		"expired":          "This survey link has expired.",
		"invalid":          "This survey link is not valid.",
		"unavailable":      "This survey is no longer available.",
		"progress":         "Question %d of %d",
		"placeholder":      "Type your answer here",
		"sending":          "Sending…",
	},
	LangVietnamese: {
		"submit": "Gửi", "next": "Tiếp", "skip": "Bỏ qua", "close": "Đóng",
		"thank_you":        "Cảm ơn bạn đã phản hồi!",
		"already_answered": "Bạn đã trả lời khảo sát này rồi. Cảm ơn bạn!",
		"expired":          "Liên kết khảo sát này đã hết hạn.",
		"invalid":          "Liên kết khảo sát này không hợp lệ.",
		"unavailable":      "Khảo sát này không còn khả dụng.",
		"progress":         "Câu %d / %d",
		"placeholder":      "Nhập câu trả lời của bạn",
		"sending":          "Đang gửi…",
	},
	LangThai: {
		"submit": "ส่ง", "next": "ถัดไป", "skip": "ข้าม", "close": "ปิด",
		"thank_you":        "ขอบคุณสำหรับความคิดเห็นของคุณ!",
		"already_answered": "คุณได้ตอบแบบสำรวจนี้แล้ว ขอบคุณ!",
		"expired":          "ลิงก์แบบสำรวจนี้หมดอายุแล้ว",
		"invalid":          "ลิงก์แบบสำรวจนี้ไม่ถูกต้อง",
		"unavailable":      "แบบสำรวจนี้ไม่เปิดให้ตอบแล้ว",
		"progress":         "คำถามที่ %d จาก %d",
		"placeholder":      "พิมพ์คำตอบของคุณที่นี่",
		"sending":          "กำลังส่ง…",
	},
	LangPersian: {
		"submit": "ارسال", "next": "بعدی", "skip": "رد شدن", "close": "بستن",
		"thank_you":        "از بازخورد شما سپاسگزاریم!",
		"already_answered": "شما قبلاً به این نظرسنجی پاسخ داده‌اید. سپاسگزاریم!",
		"expired":          "این پیوند نظرسنجی منقضی شده است.",
		"invalid":          "این پیوند نظرسنجی معتبر نیست.",
		"unavailable":      "این نظرسنجی دیگر در دسترس نیست.",
		"progress":         "پرسش %d از %d",
		"placeholder":      "پاسخ خود را اینجا بنویسید",
		"sending":          "در حال ارسال…",
	},
}

// UIStrings returns the words of the survey page and widget in lang,
// falling back to English for languages without built-in texts.
func UIStrings(lang string) map[string]string {
	if m, ok := uiStrings[lang]; ok {
		return maps.Clone(m)
	}
	base := lang
	if len(base) > 2 && base[2] == '-' {
		base = base[:2]
	}
	if m, ok := uiStrings[base]; ok {
		return maps.Clone(m)
	}
	return maps.Clone(uiStrings[LangEnglish])
}

// standardText is the built-in text of a standard question in lang, or "".
// A text question's built-in text asks for the reason for the score.
func standardText(lang string, q *Question) string {
	if q.Text != "" {
		return q.Text
	}
	return standardTexts[lang][q.Type]
}

func builtinLabel(lang string, t QuestionType, end string) string {
	l, ok := builtinLabels[lang][t]
	if !ok {
		return ""
	}
	if end == "min" {
		return l[0]
	}
	return l[1]
}
