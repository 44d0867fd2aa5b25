package demo

// The retailer's world: countries, products, stores, campaigns, accounts.

type country struct {
	code, locale, lang, tz, phone string
	cities                        []string
	first, last                   []string
	weight                        int
	// ipPrefix keeps customers' addresses in documentation ranges.
	ipPrefix string
}

var countries = []country{
	{code: "US", locale: "en-US", lang: "en", tz: "America/New_York", phone: "+1", weight: 30, ipPrefix: "198.51.100.",
		cities: []string{"New York", "Chicago", "Austin", "Seattle", "Denver"},
		first:  []string{"James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda", "Emily", "Daniel"},
		last:   []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Lopez", "Wilson"}},
	{code: "GB", locale: "en-GB", lang: "en", tz: "Europe/London", phone: "+44", weight: 20, ipPrefix: "203.0.113.",
		cities: []string{"London", "Manchester", "Bristol", "Leeds", "Glasgow"},
		first:  []string{"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Noah", "Grace"},
		last:   []string{"Taylor", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Green", "Hall", "Wood"}},
	{code: "VN", locale: "vi-VN", lang: "vi", tz: "Asia/Ho_Chi_Minh", phone: "+84", weight: 20, ipPrefix: "192.0.2.",
		cities: []string{"Hà Nội", "Thành phố Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ"},
		first:  []string{"Anh", "Linh", "Minh", "Trang", "Huy", "Thảo", "Dũng", "Hương", "Nam", "Mai"},
		last:   []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"}},
	{code: "TH", locale: "th-TH", lang: "th", tz: "Asia/Bangkok", phone: "+66", weight: 15, ipPrefix: "198.51.100.",
		cities: []string{"กรุงเทพมหานคร", "เชียงใหม่", "ภูเก็ต", "ขอนแก่น", "ชลบุรี"},
		first:  []string{"สมชาย", "สมหญิง", "อนันต์", "มาลี", "วิชัย", "สุดา", "ประเสริฐ", "นภา", "ธนา", "กมล"},
		last:   []string{"ใจดี", "แสงทอง", "ศรีสุข", "บุญมา", "รัตนพันธ์", "วงศ์ใหญ่", "ทองคำ", "สุขสวัสดิ์", "พรหมมา", "มั่นคง"}},
	{code: "IR", locale: "fa-IR", lang: "fa", tz: "Asia/Tehran", phone: "+98", weight: 15, ipPrefix: "203.0.113.",
		cities: []string{"تهران", "اصفهان", "شیراز", "مشهد", "تبریز"},
		first:  []string{"علی", "زهرا", "محمد", "فاطمه", "رضا", "مریم", "حسین", "سارا", "امیر", "نرگس"},
		last:   []string{"محمدی", "حسینی", "احمدی", "رضایی", "کریمی", "موسوی", "جعفری", "صادقی", "رحیمی", "نوری"}},
}

type product struct {
	id, sku, name, category string
	price                   float64
}

var products = []product{
	{"p01", "TEE-WHT-M", "Organic cotton tee", "Apparel", 24},
	{"p02", "TEE-BLK-L", "Heavyweight black tee", "Apparel", 29},
	{"p03", "SWT-MER-M", "Merino wool sweater", "Apparel", 89},
	{"p04", "JKT-RAIN-L", "Packable rain jacket", "Outerwear", 119},
	{"p05", "JKT-DWN-M", "Recycled down jacket", "Outerwear", 189},
	{"p06", "JNS-SLM-32", "Slim selvedge jeans", "Apparel", 95},
	{"p07", "SNK-RUN-42", "Everyday running shoes", "Footwear", 110},
	{"p08", "SNK-CNV-40", "Canvas sneakers", "Footwear", 59},
	{"p09", "BOT-CHL-41", "Leather chelsea boots", "Footwear", 165},
	{"p10", "BAG-TOT-01", "Canvas tote bag", "Accessories", 22},
	{"p11", "BAG-BPK-20", "20L commuter backpack", "Accessories", 79},
	{"p12", "CAP-WOL-01", "Wool beanie", "Accessories", 19},
	{"p13", "SCF-CSH-01", "Cashmere scarf", "Accessories", 69},
	{"p14", "SOC-3PK-M", "Merino socks, 3 pack", "Accessories", 27},
	{"p15", "BTL-STL-750", "Insulated bottle 750 ml", "Home", 32},
	{"p16", "MUG-CER-01", "Stoneware mug", "Home", 18},
	{"p17", "BLK-WOL-01", "Wool throw blanket", "Home", 99},
	{"p18", "CND-SOY-01", "Soy candle", "Home", 21},
	{"p19", "WAT-SPT-01", "Sport watch", "Electronics", 149},
	{"p20", "EAR-BUD-01", "Wireless earbuds", "Electronics", 129},
	{"p21", "SPK-BT-01", "Bluetooth speaker", "Electronics", 69},
	{"p22", "CHG-USB-01", "65W USB-C charger", "Electronics", 39},
	{"p23", "YOG-MAT-01", "Cork yoga mat", "Sport", 64},
	{"p24", "DMB-ADJ-01", "Adjustable dumbbells", "Sport", 179},
}

var searchTerms = []string{"sweater", "rain jacket", "running shoes", "gift", "sale", "backpack", "earbuds", "boots", "yoga", "wool", "tee", "jeans"}

type store struct{ id, name, country string }

var stores = []store{
	{"st_nyc", "Touch & Co. SoHo", "US"}, {"st_chi", "Touch & Co. Chicago", "US"},
	{"st_lon", "Touch & Co. Covent Garden", "GB"}, {"st_man", "Touch & Co. Manchester", "GB"},
	{"st_han", "Touch & Co. Hoàn Kiếm", "VN"}, {"st_sgn", "Touch & Co. Quận 1", "VN"},
	{"st_bkk", "Touch & Co. Siam", "TH"}, {"st_thr", "Touch & Co. Tehran", "IR"},
}

type campaign struct {
	id, name, subject string
	day               int // days after the start of the data set
}

var campaigns = []campaign{
	{"cmp_welcome", "welcome-series", "Welcome to Touch & Co.", 0},
	{"cmp_autumn", "autumn-sale", "Autumn sale: up to 40% off", 6},
	{"cmp_newin", "new-in-knitwear", "New in: knitwear", 16},
	{"cmp_loyalty", "loyalty-points", "You have points to spend", 27},
	{"cmp_bf", "black-friday", "Black Friday starts now", 38},
	{"cmp_gift", "gift-guide", "The gift guide", 49},
	{"cmp_winter", "winter-essentials", "Winter essentials", 60},
	{"cmp_ny", "new-year", "New year, new gear", 71},
	{"cmp_last", "last-chance", "Last chance: sale ends tonight", 82},
}

var industries = []string{"Retail", "Hospitality", "Software", "Logistics", "Education", "Healthcare"}

var callReasons = []string{"delivery", "billing", "returns", "technical", "account"}

var ticketSubjects = map[string][]string{
	"delivery":  {"Where is my order?", "Parcel marked delivered but not received", "Delivery date keeps changing"},
	"billing":   {"Charged twice", "Discount code not applied", "Invoice needed"},
	"returns":   {"How do I return an item?", "Refund not received", "Wrong size sent"},
	"technical": {"App crashes at checkout", "Cannot reset my password", "Payment page does not load"},
	"account":   {"Change my email address", "Delete my account", "Update my address"},
}
