package text_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/touchpoint-cx/touchpoint/text"
)

// FuzzReadTSV feeds the training file reader arbitrary bytes: it must not
// panic, every example it returns must be well formed, and every bad line
// must be reported with a line number in the file.
func FuzzReadTSV(f *testing.F) {
	f.Add([]byte("pos\tGreat!\nneg\tAwful\n"))
	f.Add([]byte("neu\tok\r\n\n\nbad line\nneg\t\n"))
	f.Add([]byte("pos\t\xff\xfe\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ex, err := text.ReadTSV(bytes.NewReader(data))
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, e := range ex {
			if e.Text == "" || e.Class < text.ClassNegative || e.Class > text.ClassPositive || e.Line < 1 || e.Line > lines || !utf8.ValidString(e.Text) {
				t.Fatalf("bad example %+v", e)
			}
		}
		if te, ok := err.(*text.TSVError); ok {
			for _, l := range te.Lines {
				if l.Line < 1 || l.Line > lines || l.Msg == "" {
					t.Fatalf("bad line report %+v", l)
				}
			}
		} else if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// FuzzTokens runs detection, normalisation, tokenising, topics and a
// built-in model over arbitrary text in every language.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{
		"The delivery was late!!", "giao hàng nhanh 😍", "ส่งของช้ามากกกก555", "می‌خواهم ۱۲۳ كيفيت",
		"don't 'quoted'", "\u0301\u0e31x", "\xff\xfe", "İstanbul ǅ ß",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lang := text.Detect(s)
		if lang != text.LangUndetermined && !text.Supported(lang) {
			t.Fatalf("Detect(%q) = %q", s, lang)
		}
		for _, l := range text.Languages() {
			norm := text.Normalize(l, s)
			if !utf8.ValidString(norm) {
				t.Fatalf("Normalize(%s, %q) is not UTF-8: %q", l, s, norm)
			}
			for _, tok := range text.Tokens(norm) {
				if tok == "" || !strings.Contains(norm, tok) {
					t.Fatalf("Tokens(%q) gave %q", norm, tok)
				}
			}
			text.Topics(l, s)
			m, err := text.Builtin(l)
			if err != nil {
				t.Fatal(err)
			}
			p := m.Predict(s)
			if sc := p.Score(); sc < -1 || sc > 1 || sc != sc {
				t.Fatalf("score %v", sc)
			}
		}
	})
}

// FuzzReadModel feeds the model reader (which reads uploaded files)
// arbitrary bytes after a valid header: it must fail cleanly, never panic.
func FuzzReadModel(f *testing.F) {
	m, err := text.Builtin("en")
	if err != nil {
		f.Fatal(err)
	}
	good := m.Marshal()
	f.Add(good[:200])
	f.Add([]byte("touchpoint-text-model\n"))
	f.Add([]byte("touchpoint-text-model\n\x1f\x8b\x08\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := text.ReadModel(bytes.NewReader(data)); err == nil {
			m.Predict("ok")
		}
	})
}
