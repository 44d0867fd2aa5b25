package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

// tpIn runs the binary with stdin and returns its stdout.
func tpIn(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("touchpoint %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// trainingFile writes a small labelled English file.
func trainingFile(t *testing.T, extra string) string {
	t.Helper()
	var b strings.Builder
	subjects := []string{"the delivery", "the staff", "the refund", "the app", "checkout"}
	for i := 0; i < 150; i++ {
		s := subjects[i%len(subjects)]
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "pos\t%s was wonderful and quick, order %d\n", s, i)
		case 1:
			fmt.Fprintf(&b, "neg\t%s was dreadful and slow, order %d\n", s, i)
		default:
			fmt.Fprintf(&b, "neu\t%s happened on a tuesday, order %d\n", s, i)
		}
	}
	b.WriteString(extra)
	path := filepath.Join(t.TempDir(), "labelled.tsv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func decodeLines(t *testing.T, out string) []touchpoint.TextAnalysis {
	t.Helper()
	var res []touchpoint.TextAnalysis
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r touchpoint.TextAnalysis
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		res = append(res, r)
	}
	return res
}

// TestTextCommands runs text analyze and text train as a user would,
// without a server.
func TestTextCommands(t *testing.T) {
	t.Run("Analyze", func(t *testing.T) {
		in := "Excellent service, the staff were so friendly!\n" +
			"Giao hàng quá chậm, sản phẩm kém chất lượng, thất vọng\n" +
			"\n" +
			"อร่อยมาก ประทับใจสุดๆ\n" +
			"کیفیت ساخت بسیار ضعیف است و اصلا راضی نیستم"
		out, err := tpIn(t, in, "text", "analyze")
		if err != nil {
			t.Fatal(err)
		}
		res := decodeLines(t, out)
		want := []struct{ lang, sentiment string }{{"en", "positive"}, {"vi", "negative"}, {"und", "neutral"}, {"th", "positive"}, {"fa", "negative"}}
		if len(res) != len(want) {
			t.Fatalf("%d results for %d lines:\n%s", len(res), len(want), out)
		}
		for i, w := range want {
			if res[i].Language != w.lang || res[i].Sentiment != w.sentiment {
				t.Errorf("line %d: %+v, want %s %s", i+1, res[i], w.lang, w.sentiment)
			}
		}
		if !strings.Contains(out, `"topics":["customer_service"]`) || !strings.Contains(out, `"delivery"`) {
			t.Errorf("topics missing:\n%s", out)
		}
	})
	t.Run("ErrUnknownLanguage", func(t *testing.T) {
		_, err := tpIn(t, "hello\n", "text", "analyze", "--lang", "de")
		if err == nil || !strings.Contains(err.Error(), `lang: unsupported language "de"`) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("Train", func(t *testing.T) {
		model := filepath.Join(t.TempDir(), "mine.tpm")
		out, err := tp(t, "text", "train", "--lang", "en", "--in", trainingFile(t, ""), "--out", model)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "held-out accuracy (") || !strings.Contains(out, "pos-vs-neg") || !strings.Contains(out, "wrote "+model) {
			t.Fatalf("train printed:\n%s", out)
		}
		out, err = tpIn(t, "the staff was wonderful and quick\nthe refund was dreadful and slow\n", "text", "analyze", "--model", model)
		if err != nil {
			t.Fatal(err)
		}
		res := decodeLines(t, out)
		if len(res) != 2 || res[0].Sentiment != "positive" || res[1].Sentiment != "negative" || res[0].Model != "file" {
			t.Fatalf("with the trained model: %+v", res)
		}
	})
	t.Run("ErrMalformedLines", func(t *testing.T) {
		in := trainingFile(t, "this line has no tab\nmaybe\tnot a label\n")
		_, err := tp(t, "text", "train", "--lang", "en", "--in", in, "--out", filepath.Join(t.TempDir(), "m.tpm"))
		if err == nil || !strings.Contains(err.Error(), in+":151: no tab") || !strings.Contains(err.Error(), in+`:152: label "maybe"`) || !strings.Contains(err.Error(), "--skip-bad") {
			t.Fatalf("got %v", err)
		}
		out, err := tp(t, "text", "train", "--lang", "en", "--in", in, "--out", filepath.Join(t.TempDir(), "m.tpm"), "--skip-bad")
		if err != nil || !strings.Contains(out, "held-out accuracy") {
			t.Fatalf("--skip-bad: %v\n%s", err, out)
		}
	})
	t.Run("Eval", func(t *testing.T) {
		dir := t.TempDir()
		sets := map[string][2]string{
			"en": {"Great service, thank you", "Terrible service, never again"},
			"vi": {"sản phẩm rất tốt, cảm ơn shop", "chất lượng kém, rất thất vọng"},
			"th": {"อร่อยมาก ประทับใจ", "แย่มาก ผิดหวัง"},
			"fa": {"عالی است، خیلی راضی هستم", "افتضاح است، اصلا راضی نیستم"},
		}
		for lang, pair := range sets {
			var b strings.Builder
			for i := 0; i < 40; i++ {
				fmt.Fprintf(&b, "pos\t%s %d\nneg\t%s %d\n", pair[0], i, pair[1], i)
			}
			if err := os.WriteFile(filepath.Join(dir, lang+".train.tsv"), []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out, err := tp(t, "bench", "text", "--sentiment-data", dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"\nen ", "\nvi ", "\nth ", "\nfa ", "VADER", "word list", "texts/s"} {
			if !strings.Contains(out, want) {
				t.Errorf("bench text printed no %q:\n%s", want, out)
			}
		}
		if _, err := tp(t, "text", "eval", "--sentiment-data", t.TempDir()); err == nil || !strings.Contains(err.Error(), "labelled data for en") {
			t.Fatalf("eval without data: %v", err)
		}
	})
	t.Run("ErrTrainUnknownLanguage", func(t *testing.T) {
		_, err := tp(t, "text", "train", "--lang", "xx", "--in", trainingFile(t, ""), "--out", filepath.Join(t.TempDir(), "m.tpm"))
		if err == nil || !strings.Contains(err.Error(), `lang: unsupported language "xx"`) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestTextAPI drives text analysis and workspace models through the real
// server.
func TestTextAPI(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	c := s.client()
	ctx := context.Background()

	res, err := c.AnalyzeText(ctx, []string{
		"The delivery was late and the courier was rude.",
		"Nhân viên tư vấn nhiệt tình, giao hàng nhanh, rất hài lòng",
		"พนักงานบริการดีมาก ประทับใจ",
		"این گوشی عالی است و از خریدش خیلی راضی هستم",
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ lang, sentiment, topic string }{
		{"en", "negative", "delivery"}, {"vi", "positive", "customer_service"}, {"th", "positive", "customer_service"}, {"fa", "positive", ""},
	}
	for i, w := range want {
		r := res[i]
		if r.Language != w.lang || r.Sentiment != w.sentiment || w.topic != "" && !contains(r.Topics, w.topic) || r.Model != "builtin-"+w.lang {
			t.Errorf("text %d: %+v, want %s %s %s", i, r, w.lang, w.sentiment, w.topic)
		}
	}

	t.Run("Errors", func(t *testing.T) {
		many := `{"texts":[` + strings.Repeat(`"ok",`, httpapi.MaxAnalyzeTexts) + `"ok"]}`
		long := `{"texts":["fine","` + strings.Repeat("a", httpapi.MaxTextChars+1) + `"]}`
		for _, tt := range []struct {
			name, body string
			status     int
			field      string
		}{
			{"ErrNoTexts", `{"texts":[]}`, 400, "texts"},
			{"ErrTooMany", many, 413, "texts"},
			{"ErrTooLong", long, 413, "texts[1]"},
			{"ErrLanguage", `{"texts":["hi"],"language":"de"}`, 400, "language"},
			{"ErrUnknownField", `{"texts":["hi"],"lang":"en"}`, 400, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				code, body := s.adminPost("/api/v1/text/analyze", tt.body)
				var eb struct{ Error touchpoint.Error }
				json.Unmarshal([]byte(body), &eb)
				if code != tt.status || eb.Error.Field != tt.field || eb.Error.Message == "" {
					t.Fatalf("%d %s", code, body)
				}
			})
		}
		req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/text/analyze", strings.NewReader(`{"texts":["hi"]}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("without a key: %d", resp.StatusCode)
		}
	})

	t.Run("Themes", func(t *testing.T) {
		themes, err := c.TextThemes(ctx, httpapi.ThemesRequest{Texts: []string{
			"The delivery was late", "Delivery was quick", "Battery life is short", "The battery life is great", "Great battery life",
		}})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]int{}
		for _, th := range themes {
			names[th.Name] = th.Count
		}
		if names["delivery"] != 2 || names["battery life"] != 3 {
			t.Fatalf("themes %+v", themes)
		}
	})

	t.Run("WorkspaceModel", func(t *testing.T) {
		model := filepath.Join(t.TempDir(), "mine.tpm")
		if _, err := tp(t, "text", "train", "--lang", "en", "--in", trainingFile(t, ""), "--out", model, "--quiet"); err != nil {
			t.Fatal(err)
		}
		// The CLI finds the running server through the data directory.
		out, err := tp(t, "text", "models", "add", "Support tickets", model, "--data", dir, "--json")
		if err != nil {
			t.Fatal(err)
		}
		var m touchpoint.TextModel
		if err := json.Unmarshal([]byte(out), &m); err != nil || m.Language != "en" || m.Name != "Support tickets" {
			t.Fatalf("add printed %q: %v", out, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "models", m.ID+".tpm")); err != nil {
			t.Fatalf("model file not in the data directory: %v", err)
		}
		if _, err := tp(t, "text", "models", "use", "en", m.ID, "--data", dir); err != nil {
			t.Fatal(err)
		}
		res, err := c.AnalyzeText(ctx, []string{"the staff was wonderful and quick"}, "en")
		if err != nil || res[0].Model != m.ID || res[0].Sentiment != "positive" {
			t.Fatalf("after choosing %s: %+v, %v", m.ID, res, err)
		}
		if err := c.RemoveTextModel(ctx, m.ID); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("remove a model in use: %v", err)
		}
		if _, err := c.UseTextModel(ctx, "vi", m.ID); touchpoint.ErrorField(err) != "model" {
			t.Fatalf("an English model for Vietnamese: %v", err)
		}
		list, err := c.TextModels(ctx)
		if err != nil || list.Choice["en"] != m.ID || len(list.Models) != 5 {
			t.Fatalf("models %+v, %v", list, err)
		}
		if _, err := c.UseTextModel(ctx, "en", "builtin"); err != nil {
			t.Fatal(err)
		}
		if err := c.RemoveTextModel(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddTextModel(ctx, "junk", strings.NewReader("pos\tnot a model\n")); touchpoint.ErrorField(err) != "model" {
			t.Fatalf("upload junk: %v", err)
		}
	})

	s.stop()
	t.Run("ModelsOffline", func(t *testing.T) {
		out, err := tp(t, "text", "models", "list", "--data", dir)
		if err != nil || !strings.Contains(out, "builtin-th") || !strings.Contains(out, "Built-in Persian") {
			t.Fatalf("list without a server: %v\n%s", err, out)
		}
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// adminPost sends a JSON admin API request.
func (s *server) adminPost(path, body string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.keys.AdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}
