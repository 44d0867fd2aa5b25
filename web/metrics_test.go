package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

func TestFigure(t *testing.T) {
	nps := kindOf(&touchpoint.Survey{Type: touchpoint.SurveyNPS})
	rating := kindOf(&touchpoint.Survey{Type: touchpoint.SurveyRating, Questions: []touchpoint.Question{{ID: "score", Type: touchpoint.QuestionRating, Max: 10}}})
	for _, tt := range []struct {
		name         string
		kind         *scoreKind
		counts       []touchpoint.ScoreCount
		text, margin string
		tone         string
		dist         int
	}{
		// 2 promoters, 1 passive, 1 detractor: NPS 25, margin by hand
		// 100 × 1.96 × √((0.5 + 0.25 − 0.0625) / 4) = 81.26.
		{"NPS", nps, []touchpoint.ScoreCount{{Score: 10, Count: 2}, {Score: 7, Count: 1}, {Score: 3, Count: 1}}, "25", "± 81.3", "fair", 11},
		{"NPSOneResponse", nps, []touchpoint.ScoreCount{{Score: 9, Count: 1}}, "100", "", "good", 11},
		{"NPSNone", nps, nil, "–", "", "", 11},
		// Mean 9, sample sd √2: the margin is 1.96 × √2 / √2.
		{"RatingOfTen", rating, []touchpoint.ScoreCount{{Score: 8, Count: 1}, {Score: 10, Count: 1}}, "9.0", "± 1.96", "good", 10},
		{"CSAT", kindOf(&touchpoint.Survey{Type: touchpoint.SurveyCSAT}), []touchpoint.ScoreCount{{Score: 5, Count: 1}, {Score: 2, Count: 1}}, "50%", "± 69.3", "poor", 5},
		{"CES", kindOf(&touchpoint.Survey{Type: touchpoint.SurveyCES}), []touchpoint.ScoreCount{{Score: 6, Count: 3}}, "6.0", "± 0.00", "good", 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.kind.compute(tt.counts)
			if s.Text() != tt.text || s.MarginText() != tt.margin || s.Tone() != tt.tone || len(s.Distribution) != tt.dist {
				t.Fatalf("got %q %q %q with %d scores, want %q %q %q with %d", s.Text(), s.MarginText(), s.Tone(), len(s.Distribution), tt.text, tt.margin, tt.tone, tt.dist)
			}
		})
	}
	if kindOf(&touchpoint.Survey{Type: touchpoint.SurveyText}) != nil || kindOf(&touchpoint.Survey{Type: touchpoint.SurveyChoice}) != nil {
		t.Fatal("open-text and choice surveys have no score")
	}
}

func TestDateRangeKeeping(t *testing.T) {
	dr := DateRange{Presets: []Preset{{Label: "7 days", Href: "/surveys/srv_1?from=2026-11-16&to=2026-11-22"}}}
	got := dr.keeping(url.Values{"by": {"trait"}, "trait": {"plan & tier"}})
	u, _ := url.Parse(got.Presets[0].Href)
	if q := u.Query(); q.Get("from") != "2026-11-16" || q.Get("trait") != "plan & tier" || q.Get("by") != "trait" {
		t.Fatalf("preset %s", got.Presets[0].Href)
	}
	if len(got.Keep) != 2 || got.Keep[0].Key != "by" {
		t.Fatalf("hidden fields %+v", got.Keep)
	}
	if dr.Presets[0].Href != "/surveys/srv_1?from=2026-11-16&to=2026-11-22" {
		t.Fatal("keeping changed the range it was called on")
	}
	for days, want := range map[int]string{7: "day", 30: "week", 90: "week", 365: "month"} {
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if got := interval(DateRange{From: from, To: from.AddDate(0, 0, days)}); got != want {
			t.Errorf("%d days: %s, want %s", days, got, want)
		}
	}
}

// TestCSVCell checks that customer text cannot become a spreadsheet formula.
func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-2": "'-2", "@SUM": "'@SUM",
		"fine": "fine", "": "", "a=b": "a=b"} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBuiltinTexts checks the builder is told the words respondents see
// for the standard questions in every built-in language.
func TestBuiltinTexts(t *testing.T) {
	b := builtinTexts()
	for _, lang := range touchpoint.BuiltinLanguages() {
		for _, typ := range []string{"nps", "csat", "ces", "product_satisfaction", "text"} {
			if b[lang][typ].Text == "" {
				t.Errorf("no built-in %s text for %s", lang, typ)
			}
		}
	}
	if !strings.Contains(b["fa"]["nps"].Text, "توصیه") || b["en"]["nps"].MinLabel != "Not at all likely" {
		t.Fatalf("built-in texts %+v %+v", b["fa"]["nps"], b["en"]["nps"])
	}
}
