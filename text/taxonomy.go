package text

import "strings"

// The CX taxonomy: the subjects customers write about in any business,
// each with keywords in every language. A text touches a topic when it
// holds one of the topic's keywords.
//
// Keywords are separated by spaces; an underscore joins the words of a
// phrase ("customer_service"). In English, Vietnamese and Persian a keyword
// is one or more whole words, and a trailing * lets the last word run on
// ("deliver*" covers delivered, delivery). Vietnamese keywords also match text typed without diacritics.
// Thai has no spaces between words, so a Thai keyword matches anywhere in
// the text: Thai keywords are chosen long enough not to occur inside
// unrelated words (ราคาถูก rather than ถูก, which also means "correct").
var taxonomy = []struct {
	name     string
	keywords map[string]string
}{
	{"delivery", map[string]string{
		LangEnglish:    "deliver* ship shipped shipping shipment* courier* arriv* dispatch* tracking postage parcel* in_transit on_time",
		LangVietnamese: "giao_hàng giao_nhanh giao_chậm giao_trễ vận_chuyển ship shipper nhận_hàng nhận_được_hàng chuyển_phát phí_ship",
		LangThai:       "จัดส่ง ส่งของ ขนส่ง ส่งไว ส่งช้า ส่งเร็ว ได้รับของ ได้รับสินค้า ไปรษณีย์ เคอรี่ kerry ค่าส่ง เดลิเวอรี่ delivery",
		LangPersian:    "ارسال* تحویل* پیک به_دستم_رسید دیر_رسید زود_رسید حمل_و_نقل پست",
	}},
	{"price", map[string]string{
		LangEnglish:    "price* pricey overpriced expensive cheap* cost* afford* value_for_money good_value great_value discount* rip_off ripoff fee fees deal deals",
		LangVietnamese: "giá giá_cả giá_rẻ rẻ đắt chi_phí khuyến_mãi giảm_giá tiền",
		LangThai:       "ราคา แพง ราคาถูก โปรโมชั่น โปรโมชัน ส่วนลด ลดราคา คุ้มค่า คุ้ม ค่าใช้จ่าย",
		LangPersian:    "قیمت* گران* گرون* ارزان* ارزون* تخفیف* هزینه* ارزش_خرید",
	}},
	{"product_quality", map[string]string{
		LangEnglish:    "quality defect* broke broken flimsy sturdy durable material* fabric* faulty malfunction* damaged stopped_working fell_apart poorly_made well_made cheaply_made works_great works_well",
		LangVietnamese: "chất_lượng sản_phẩm hàng_lỗi bị_lỗi hỏng hư bền chất_liệu vải hàng_giả hàng_thật chính_hãng",
		LangThai:       "คุณภาพ สินค้า ชำรุด พัง ทนทาน วัสดุ ของแท้ ของปลอม ใช้ดี ใช้งานได้",
		LangPersian:    "کیفیت* جنس* خراب* معیوب ایراد* دوام بادوام اصل تقلبی سالم",
	}},
	{"customer_service", map[string]string{
		LangEnglish:    "customer_service customer_support service support staff employee* agent* representative* waiter* waitress* server servers manager* rude* friendly helpful unhelpful polite attentive cashier*",
		LangVietnamese: "nhân_viên phục_vụ tư_vấn chăm_sóc_khách_hàng cskh thái_độ nhiệt_tình lịch_sự hỗ_trợ",
		LangThai:       "พนักงาน บริการ เจ้าหน้าที่ คอลเซ็นเตอร์ แอดมิน สุภาพ มารยาท ดูแลลูกค้า",
		LangPersian:    "پشتیبانی* خدمات_مشتری* کارمند* پرسنل فروشنده* برخورد* پاسخگو* مودب",
	}},
	{"website_app", map[string]string{
		LangEnglish:    "website* site app apps online login log_in password checkout interface bug bugs crash* browser sign_up webpage*",
		LangVietnamese: "ứng_dụng app trang_web website web đăng_nhập tài_khoản giao_diện",
		LangThai:       "แอป แอพ แอปพลิเคชัน เว็บไซต์ เว็บ ระบบล่ม ล็อกอิน เข้าสู่ระบบ อัพเดท อัปเดต",
		LangPersian:    "سایت* اپلیکیشن* وبسایت* اپ حساب_کاربری",
	}},
	{"payment", map[string]string{
		LangEnglish:    "payment* pay paid paying card credit_card debit charge* billing bill invoice* transaction* paypal cash",
		LangVietnamese: "thanh_toán trả_tiền thẻ chuyển_khoản ví_điện_tử momo cod hóa_đơn",
		LangThai:       "ชำระเงิน จ่ายเงิน โอนเงิน บัตรเครดิต ตัดเงิน เก็บเงินปลายทาง พร้อมเพย์ ผ่อน ใบเสร็จ",
		LangPersian:    "پرداخت* کارت* درگاه اقساط قسطی فاکتور* تراکنش*",
	}},
	{"returns_refunds", map[string]string{
		LangEnglish:    "return* refund* exchang* money_back replacement* replace* warranty send_it_back sent_it_back sent_back",
		LangVietnamese: "đổi_trả hoàn_tiền trả_hàng đổi_hàng bảo_hành hoàn_trả trả_lại",
		LangThai:       "คืนเงิน คืนสินค้า เปลี่ยนสินค้า เคลม รับประกัน ส่งคืน",
		LangPersian:    "مرجوع* بازگشت_وجه عودت* برگشت* تعویض* گارانتی* ضمانت*",
	}},
	{"waiting_time", map[string]string{
		LangEnglish:    "wait* queue* slow* delay* took_forever forever took_long on_hold hour hours minutes long_time",
		LangVietnamese: "chờ đợi lâu chậm xếp_hàng mất_thời_gian trễ",
		LangThai:       "รอนาน รอคิว ต่อคิว คิวยาว ช้ามาก ล่าช้า นานมาก",
		LangPersian:    "انتظار* معطل* طول_کشید دیر صف تاخیر* تأخیر*",
	}},
	{"packaging", map[string]string{
		LangEnglish:    "packag* box boxes wrap* bubble_wrap sealed container*",
		LangVietnamese: "đóng_gói gói_hàng hộp bao_bì gói_cẩn_thận",
		LangThai:       "แพ็ค แพ็ก บรรจุภัณฑ์ กล่อง แพคเกจ",
		LangPersian:    "بسته_بندی* بستهبندی* جعبه* کارتن*",
	}},
	{"store", map[string]string{
		LangEnglish:    "store stores shop branch location atmosphere ambiance ambience decor clean* dirty parking seating restroom* bathroom*",
		LangVietnamese: "cửa_hàng quán chi_nhánh không_gian sạch_sẽ bẩn chỗ_ngồi gửi_xe đỗ_xe",
		LangThai:       "ร้าน สาขา บรรยากาศ สะอาด สกปรก ที่จอดรถ ที่นั่ง",
		LangPersian:    "فروشگاه* شعبه* مغازه* تمیز* کثیف* پارکینگ",
	}},
}

// TopicNames lists the taxonomy's topics in order.
func TopicNames() []string {
	out := make([]string, len(taxonomy))
	for i, t := range taxonomy {
		out[i] = t.name
	}
	return out
}

// keyword is one compiled keyword: its words, the last of which may be a
// prefix.
type keyword struct {
	text   string
	words  []string
	prefix bool
}

// lexicon holds the compiled keywords of each topic for one language.
type lexicon struct {
	topics [][]keyword
}

var lexicons = func() map[string]*lexicon {
	out := map[string]*lexicon{}
	for _, lang := range Languages() {
		lx := &lexicon{}
		for _, t := range taxonomy {
			var kws []keyword
			for _, k := range strings.Fields(t.keywords[lang]) {
				kws = append(kws, compileKeyword(lang, strings.ReplaceAll(k, "_", " ")))
			}
			lx.topics = append(lx.topics, kws)
		}
		out[lang] = lx
	}
	return out
}()

func compileKeyword(lang, s string) keyword {
	s = Normalize(lang, s)
	k := keyword{text: strings.TrimSuffix(s, "*")}
	if strings.HasSuffix(s, "*") {
		k.prefix = true
		s = strings.TrimSuffix(s, "*")
	}
	k.words = Words(s)
	return k
}

// Topics returns the taxonomy topics a text touches, in taxonomy order.
// lang must be one of Languages; the text is normalised here.
func Topics(lang, s string) []string {
	hits := topicHits(lang, Normalize(lang, s))
	out := []string{}
	for i, kw := range hits {
		if kw != "" {
			out = append(out, taxonomy[i].name)
		}
	}
	return out
}

// topicHits returns, per taxonomy topic, the first keyword found in
// normalised text, or "".
func topicHits(lang, norm string) []string {
	lx := lexicons[lang]
	hits := make([]string, len(taxonomy))
	if lx == nil {
		return hits
	}
	if lang == LangThai {
		for i, kws := range lx.topics {
			for _, k := range kws {
				if strings.Contains(norm, k.text) {
					hits[i] = k.text
					break
				}
			}
		}
		return hits
	}
	words := Words(norm)
	// Vietnamese typed without diacritics is compared without them.
	bare := lang == LangVietnamese && StripVietnamese(norm) == norm
	for i, kws := range lx.topics {
		for _, k := range kws {
			if matchWords(words, k, bare) {
				hits[i] = k.text
				break
			}
		}
	}
	return hits
}

func matchWords(words []string, k keyword, bare bool) bool {
	n := len(k.words)
	if n == 0 {
		return false
	}
	for i := 0; i+n <= len(words); i++ {
		ok := true
		for j := 0; j < n && ok; j++ {
			want, got := k.words[j], words[i+j]
			if bare {
				want = StripVietnamese(want)
			}
			if j == n-1 && k.prefix {
				ok = strings.HasPrefix(got, want)
			} else {
				ok = got == want
			}
		}
		if ok {
			return true
		}
	}
	return false
}
