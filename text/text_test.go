package text_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/sqlite"
	"github.com/touchpoint-cx/touchpoint/statetest"
	"github.com/touchpoint-cx/touchpoint/text"
)

func TestDetect(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"The delivery was late and the staff were rude.", "en"},
		{"Great service, fast shipping", "en"},
		{"I love it", "en"},
		{"Giao hàng nhanh, sản phẩm rất tốt!", "vi"},
		{"Nhân viên tư vấn nhiệt tình, sẽ ủng hộ shop lần sau", "vi"},
		{"giao hang nhanh, san pham tot, shop tu van nhiet tinh", "vi"},
		{"hang dep lam, cam on shop", "vi"},
		{"ส่งของช้ามาก พนักงานไม่สุภาพ", "th"},
		{"อร่อยมากกก ร้านนี้ดีจริงๆ 555", "th"},
		{"สินค้าดี แต่ delivery ช้า", "th"},
		{"کیفیت گوشی عالی است ولی قیمتش گران است", "fa"},
		{"ارسال سريع بود و بسته بندي خوب", "fa"}, // typed with Arabic yeh
		{"خیلی راضیم", "fa"},
		{"كانت الخدمة ممتازة جدا في هذا المتجر", "und"}, // Arabic
		{"Le service était très lent mais la nourriture est bonne", "und"},
		{"Der Service war sehr gut und die Lieferung schnell", "und"},
		{"12345 !!!", "und"},
		{"", "und"},
		{"你好，服务很好", "und"},
	} {
		if got := text.Detect(tt.text); got != tt.want {
			t.Errorf("Detect(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	for _, tt := range []struct{ lang, in, want string }{
		{"en", "Soooo GOOOD!!", "soo good!!"},
		{"en", "Don’t", "don't"},
		{"fa", "كيفيت", "کیفیت"},
		{"fa", "می‌خواهم", "میخواهم"},
		{"fa", "۱۲۳ و ١٢٣", "123 و 123"},
		{"fa", "قیمتـــش", "قیمتش"},
		{"fa", "مُحَمَّد", "محمد"},
		{"fa", "ﻛﺘﺎﺏ", "کتاب"}, // presentation forms
		{"th", "ดีมากกกกก", "ดีมาก"},
		{"th", "มากกว่า", "มากกว่า"}, // a double letter across words stays
		{"vi", "Tốt", "tốt"},
		{"vi", "To\u0302\u0301t", "tốt"}, // decomposed input
	} {
		if got := text.Normalize(tt.lang, tt.in); got != tt.want {
			t.Errorf("Normalize(%s, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
	if got := text.StripVietnamese("giao hàng nhanh, đẹp"); got != "giao hang nhanh, dep" {
		t.Errorf("StripVietnamese = %q", got)
	}
}

func TestTokens(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"don't like it, really!", []string{"don't", "like", "it", ",", "really", "!"}},
		{"giao hàng nhanh 😍", []string{"giao", "hàng", "nhanh", "😍"}},
		{"ร้านนี้ok มาก", []string{"ร้านนี้", "ok", "มาก"}},
		{"'quoted' text", []string{"quoted", "text"}},
	} {
		if got := text.Tokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTopics(t *testing.T) {
	for _, tt := range []struct {
		lang, text string
		want       []string
	}{
		{"en", "The delivery was late and the staff were rude.", []string{"delivery", "customer_service"}},
		{"en", "Overpriced, and the refund took weeks", []string{"price", "returns_refunds"}},
		{"en", "The app crashes at checkout when I pay by card", []string{"website_app", "payment"}},
		{"en", "Lovely weather today", []string{}},
		{"vi", "Giao hàng nhanh, đóng gói cẩn thận, giá rẻ", []string{"delivery", "price", "packaging"}},
		{"vi", "giao hang cham, nhan vien thai do te", []string{"delivery", "customer_service", "waiting_time"}},
		{"th", "ส่งของช้ามาก พนักงานไม่สุภาพ ราคาแพง", []string{"delivery", "price", "customer_service", "waiting_time"}},
		{"th", "ขอคืนเงินได้ไหมคะ สินค้าชำรุด", []string{"product_quality", "returns_refunds"}},
		{"fa", "کیفیت گوشی عالی است ولی قیمتش گران است", []string{"price", "product_quality"}},
		{"fa", "ارسال دیجی کالا خیلی دیر بود و بسته‌بندی خراب بود", []string{"delivery", "product_quality", "waiting_time", "packaging"}},
	} {
		if got := text.Topics(tt.lang, tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Topics(%s, %q) = %v, want %v", tt.lang, tt.text, got, tt.want)
		}
	}
	if names := text.TopicNames(); len(names) != 10 || names[0] != "delivery" {
		t.Fatalf("TopicNames = %v", names)
	}
}

func TestGroup(t *testing.T) {
	docs := []text.Doc{
		{Text: "The delivery was late again", Sentiment: "negative"},
		{Text: "Fast delivery, thank you", Sentiment: "positive"},
		{Text: "The battery life is short and the battery gets hot"},
		{Text: "Battery life could be better", Sentiment: "negative"},
		{Text: "Battery life is amazing", Sentiment: "positive"},
		{Text: "Giao hàng nhanh, đóng gói cẩn thận"},
		{Text: "ผ้าม่านสวยมาก ผ้าม่านสีสวย"},
		{Text: "ชอบผ้าม่านผืนนี้"},
		{Text: "ผ้าม่านราคาแพงไปหน่อย"},
		{Text: "nothing to see here"},
	}
	themes := text.Group(docs, touchpoint.ThemeOptions{Examples: 2})
	byName := map[string]touchpoint.TextTheme{}
	for _, th := range themes {
		byName[th.Name] = th
	}
	d := byName["delivery"]
	if d.Kind != touchpoint.ThemeTaxonomy || d.Count != 3 || !slices.Equal(d.Texts, []int{0, 1, 5}) || len(d.Examples) != 2 ||
		d.Sentiment.Negative != 1 || d.Sentiment.Positive != 1 {
		t.Errorf("delivery theme %+v", d)
	}
	var battery, curtain *touchpoint.TextTheme
	for i, th := range themes {
		if th.Kind == touchpoint.ThemeDiscovered && strings.Contains(th.Name, "battery") {
			battery = &themes[i]
		}
		if th.Kind == touchpoint.ThemeDiscovered && th.Name == "ผ้าม่าน" {
			curtain = &themes[i]
		}
	}
	if battery == nil || battery.Count != 3 || !slices.Equal(battery.Texts, []int{2, 3, 4}) {
		t.Errorf("no battery theme discovered in %+v", themes)
	}
	if curtain == nil || curtain.Count != 3 {
		t.Errorf("no Thai theme ผ้าม่าน (curtain) discovered in %+v", themes)
	}
	for i := 1; i < len(themes); i++ {
		if themes[i].Count > themes[i-1].Count {
			t.Fatalf("themes not most common first: %+v", themes)
		}
	}
	t.Run("NoDiscovery", func(t *testing.T) {
		for _, th := range text.Group(docs, touchpoint.ThemeOptions{Discover: -1}) {
			if th.Kind != touchpoint.ThemeTaxonomy {
				t.Fatalf("discovered %+v", th)
			}
		}
	})
	t.Run("Empty", func(t *testing.T) {
		if th := text.Group(nil, touchpoint.ThemeOptions{}); len(th) != 0 {
			t.Fatalf("themes of nothing: %+v", th)
		}
	})
}

func TestReadTSV(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ex, err := text.ReadTSV(strings.NewReader("pos\tGreat!\r\n\nneg\tAwful\tservice\nneutral\tIt arrived\n"))
		if err != nil {
			t.Fatal(err)
		}
		want := []text.Example{{Class: text.ClassPositive, Text: "Great!", Line: 1}, {Class: text.ClassNegative, Text: "Awful\tservice", Line: 3}, {Class: text.ClassNeutral, Text: "It arrived", Line: 4}}
		if !slices.Equal(ex, want) {
			t.Fatalf("got %+v", ex)
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		in := "pos\tgood\nno tab here\nmaybe\tunsure\nneg\t   \npos\t" + strings.Repeat("x", text.MaxLineBytes+10) + "\nneg\tbad\n"
		ex, err := text.ReadTSV(strings.NewReader(in))
		var te *text.TSVError
		if !errors.As(err, &te) {
			t.Fatalf("got %v", err)
		}
		var lines []int
		for _, l := range te.Lines {
			lines = append(lines, l.Line)
		}
		if !slices.Equal(lines, []int{2, 3, 4, 5}) || len(ex) != 2 || ex[1].Line != 6 {
			t.Fatalf("bad lines %v, good %+v", te.Lines, ex)
		}
		for _, want := range []string{"line 2: no tab", `line 3: label "maybe"`, "line 4: empty text", "line 5: longer than"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q does not say %q", err.Error(), want)
			}
		}
	})
}

// synthetic returns n labelled English comments made from a few phrases.
func synthetic(n int, seed uint64) []text.Example {
	r := rand.New(rand.NewPCG(seed, 1))
	subjects := []string{"the delivery", "the staff", "the product", "the app", "the price", "support"}
	good := []string{"was great", "is excellent", "was fast and friendly", "made me happy", "is wonderful"}
	bad := []string{"was terrible", "is awful", "was slow and rude", "made me angry", "is broken"}
	neutral := []string{"was on tuesday", "is blue", "came in a box"}
	var out []text.Example
	for i := 0; i < n; i++ {
		s := subjects[r.IntN(len(subjects))]
		switch c := r.IntN(5); {
		case c < 2:
			out = append(out, text.Example{Class: text.ClassPositive, Text: fmt.Sprintf("%s %s #%d", s, good[r.IntN(len(good))], i)})
		case c < 4:
			out = append(out, text.Example{Class: text.ClassNegative, Text: fmt.Sprintf("%s %s #%d", s, bad[r.IntN(len(bad))], i)})
		default:
			out = append(out, text.Example{Class: text.ClassNeutral, Text: fmt.Sprintf("%s %s #%d", s, neutral[r.IntN(len(neutral))], i)})
		}
	}
	return out
}

func TestTrain(t *testing.T) {
	ctx := context.Background()
	examples := synthetic(400, 7)
	small := &text.FeatureConfig{Bits: 16, Words: 2, CharMin: 3, CharMax: 4}
	m, metrics, err := text.TrainHeldOut(ctx, examples, text.TrainOptions{Language: "en", Features: small, Data: "synthetic.tsv"})
	if err != nil {
		t.Fatal(err)
	}
	if metrics.Examples == 0 || metrics.PolarExamples == 0 || m.Info.Training.HeldOut == nil || m.Info.Training.Data != "synthetic.tsv" {
		t.Fatalf("metrics %+v, info %+v", metrics, m.Info)
	}
	t.Run("RoundTrip", func(t *testing.T) {
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		loaded, err := text.ReadModel(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Info.Language != "en" || loaded.Info.Features != *small || loaded.Buckets() != m.Buckets() || loaded.Info.Training.HeldOut.PolarExamples != metrics.PolarExamples {
			t.Fatalf("loaded %+v", loaded.Info)
		}
		for _, e := range examples[:50] {
			if a, b := m.Predict(e.Text), loaded.Predict(e.Text); a != b {
				t.Fatalf("%q: %v before saving, %v after", e.Text, a, b)
			}
		}
		if !bytes.Equal(loaded.Marshal(), buf.Bytes()) {
			t.Fatal("a loaded model does not write the same file")
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		again, _, err := text.TrainHeldOut(ctx, examples, text.TrainOptions{Language: "en", Features: small, Data: "synthetic.tsv"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Marshal(), m.Marshal()) {
			t.Fatal("training twice on the same data gave different files")
		}
	})
	t.Run("Learns", func(t *testing.T) {
		for s, want := range map[string]int{"the staff was great": text.ClassPositive, "support is awful": text.ClassNegative} {
			if got := m.Predict(s).Class(); got != want {
				t.Errorf("%q: class %d, want %d", s, got, want)
			}
		}
	})
	t.Run("ErrTooFew", func(t *testing.T) {
		_, err := text.Train(ctx, examples[:5], text.TrainOptions{Language: "en"})
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrUnknownLanguage", func(t *testing.T) {
		_, err := text.Train(ctx, examples, text.TrainOptions{Language: "de"})
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID || !strings.Contains(err.Error(), "unsupported language") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestReadModel(t *testing.T) {
	m, err := text.Builtin("en")
	if err != nil {
		t.Fatal(err)
	}
	good := m.Marshal()
	for name, data := range map[string][]byte{
		"Empty":     nil,
		"NotModel":  []byte("pos\tgreat\n"),
		"Truncated": good[:len(good)/2],
		"BadGzip":   append(append([]byte{}, good[:30]...), bytes.Repeat([]byte{0xff}, 40)...),
	} {
		t.Run("Err"+name, func(t *testing.T) {
			if _, err := text.ReadModel(bytes.NewReader(data)); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// TestBuiltin checks that the shipped models read unambiguous sentences
// of each language the right way round.
func TestBuiltin(t *testing.T) {
	a := text.NewAnalyzer(text.Config{})
	cases := []struct{ text, lang, want string }{
		{"The staff were friendly and the delivery was fast. Excellent service!", "en", "positive"},
		{"I love this dress, it fits perfectly and the quality is great.", "en", "positive"},
		{"Terrible service, the food was cold and the waiter was rude.", "en", "negative"},
		{"It broke after two days. Waste of money, very disappointed.", "en", "negative"},
		{"giảng viên nhiệt tình, dạy dễ hiểu, rất hài lòng", "vi", "positive"},
		{"sản phẩm rất tốt, giao hàng nhanh, cảm ơn shop", "vi", "positive"},
		{"giảng viên dạy quá nhanh, khó hiểu, rất chán", "vi", "negative"},
		{"chất lượng kém, thất vọng, không nên mua", "vi", "negative"},
		{"giang vien nhiet tinh, day de hieu", "vi", "positive"}, // typed without diacritics
		{"chat luong kem, that vong, khong nen mua", "vi", "negative"},
		{"อร่อยมาก ชอบมากๆ ประทับใจสุดๆ", "th", "positive"},
		{"บริการดีมาก พนักงานน่ารัก ประทับใจค่ะ", "th", "positive"},
		{"แย่มาก ห่วยสุดๆ ไม่ประทับใจเลย ผิดหวัง", "th", "negative"},
		{"บริการแย่มาก รอนานมาก ไม่แนะนำ", "th", "negative"},
		{"این گوشی عالی است و از خریدش خیلی راضی هستم", "fa", "positive"},
		{"کیفیت دوربین فوق العاده است", "fa", "positive"},
		{"کیفیت ساخت بسیار ضعیف است و اصلا راضی نیستم", "fa", "negative"},
		{"باتری خیلی زود تمام می‌شود و گوشی داغ می‌کند، افتضاح است", "fa", "negative"},
	}
	texts := make([]string, len(cases))
	for i, c := range cases {
		texts[i] = c.text
	}
	res, err := a.Analyze(context.Background(), "default", texts, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		r := res[i]
		if r.Language != c.lang || r.Sentiment != c.want {
			t.Errorf("%q: %s %s (score %.2f), want %s %s", c.text, r.Language, r.Sentiment, r.Score, c.lang, c.want)
		}
		if r.Model != text.BuiltinID(c.lang) || r.Score < -1 || r.Score > 1 || r.Confidence < 1.0/3 || r.Confidence > 1 {
			t.Errorf("%q: result %+v", c.text, r)
		}
		if (c.want == "positive") != (r.Score > 0) {
			t.Errorf("%q: score %.2f disagrees with %s", c.text, r.Score, c.want)
		}
	}
	t.Run("Undetermined", func(t *testing.T) {
		res, err := a.Analyze(context.Background(), "default", []string{"", "Das ist sehr gut"}, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Language != "und" || r.Sentiment != "neutral" || r.Score != 0 || r.Topics == nil {
				t.Fatalf("got %+v", r)
			}
		}
	})
	t.Run("ErrUnknownLanguage", func(t *testing.T) {
		_, err := a.Analyze(context.Background(), "default", []string{"x"}, "de")
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != "language" {
			t.Fatalf("got %v", err)
		}
	})
}

// TestAnalyzerModels registers a workspace model, chooses it, and checks
// analysis follows the choice.
func TestAnalyzerModels(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "state.db"), &statetest.Clock{T: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	a := text.NewAnalyzer(text.Config{Store: db, Dir: filepath.Join(dir, "models")})
	m, _, err := text.TrainHeldOut(ctx, synthetic(300, 3), text.TrainOptions{Language: "en", Features: &text.FeatureConfig{Bits: 16, Words: 2}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := a.AddTextModel(ctx, "acme", "synthetic", m.Marshal(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Language != "en" || !strings.HasPrefix(rec.ID, "tm_") || rec.SHA256 == "" {
		t.Fatalf("added %+v", rec)
	}
	analyze := func() string {
		res, err := a.Analyze(ctx, "acme", []string{"the staff was great"}, "")
		if err != nil {
			t.Fatal(err)
		}
		return res[0].Model
	}
	if got := analyze(); got != "builtin-en" {
		t.Fatalf("before choosing: model %s", got)
	}
	list, err := a.UseTextModel(ctx, "acme", "en", rec.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	if list.Choice["en"] != rec.ID || list.Choice["vi"] != "builtin-vi" || len(list.Models) != 5 {
		t.Fatalf("models %+v", list)
	}
	if got := analyze(); got != rec.ID {
		t.Fatalf("after choosing: model %s, want %s", got, rec.ID)
	}
	t.Run("ErrInUse", func(t *testing.T) {
		if err := a.RemoveTextModel(ctx, "acme", rec.ID); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrWrongLanguage", func(t *testing.T) {
		_, err := a.UseTextModel(ctx, "acme", "vi", rec.ID, "test")
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != "model" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrNotAModel", func(t *testing.T) {
		_, err := a.AddTextModel(ctx, "acme", "junk", []byte("pos\tgood\n"), "test")
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != "model" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("BackToBuiltin", func(t *testing.T) {
		if _, err := a.UseTextModel(ctx, "acme", "en", "builtin", "test"); err != nil {
			t.Fatal(err)
		}
		if got := analyze(); got != "builtin-en" {
			t.Fatalf("model %s", got)
		}
		if err := a.RemoveTextModel(ctx, "acme", rec.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.TextModel(ctx, "acme", rec.ID); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("after remove: %v", err)
		}
	})
}

// BenchmarkAnalyze measures analysis (detection, sentiment, topics) of
// short comments in the four languages.
func BenchmarkAnalyze(b *testing.B) {
	a := text.NewAnalyzer(text.Config{})
	texts := []string{
		"The delivery was late and the courier was rude, but the product itself is great.",
		"Giao hàng nhanh, đóng gói cẩn thận, sản phẩm dùng rất tốt, cảm ơn shop",
		"ส่งของช้ามาก พนักงานไม่สุภาพ แต่สินค้าคุณภาพดี ราคาไม่แพง",
		"کیفیت گوشی عالی است ولی قیمتش گران است و ارسال دیر انجام شد",
	}
	ctx := context.Background()
	if _, err := a.Analyze(ctx, "default", texts, ""); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := a.Analyze(ctx, "default", texts, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "texts/s")
}
