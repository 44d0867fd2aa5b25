package demo_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/demo"
)

var end = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func digest(t *testing.T, cfg demo.Config) (string, demo.Summary) {
	t.Helper()
	h := sha256.New()
	sum, err := demo.Generate(cfg, func(ev touchpoint.Event) error {
		h.Write(ev.AppendJSON(nil))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), sum
}

func TestDeterministic(t *testing.T) {
	cfg := demo.Config{Seed: 7, Customers: 500, End: end, Sources: map[string]string{"web": "src_web"}}
	a, _ := digest(t, cfg)
	b, _ := digest(t, cfg)
	if a != b {
		t.Fatal("the same config gave different events")
	}
	cfg.Seed = 8
	if c, _ := digest(t, cfg); c == a {
		t.Fatal("a different seed gave the same events")
	}
}

// TestShape checks the default data set has what later features read.
func TestShape(t *testing.T) {
	sources := map[string]string{}
	for _, s := range demo.SourceTypes() {
		sources[s] = "src_" + s
	}
	start := end.AddDate(0, 0, -90)
	users := map[string]bool{}
	anonOf := map[string]map[string]bool{} // userId -> anonymous ids seen with it
	anonBefore := map[string]bool{}        // anonymous ids seen without a userId
	langs := map[string]bool{}
	type score struct{ sum, n float64 }
	nps := map[bool]*score{true: {}, false: {}}
	npsOf := map[string][]float64{}
	lastSeen := map[string]time.Time{}
	var events []touchpoint.Event
	sum, err := demo.Generate(demo.Config{Seed: 1, End: end, Sources: sources}, func(ev touchpoint.Event) error {
		if !ev.Type.Valid() || ev.Channel == "" || ev.Workspace != "default" || ev.ID == "" {
			return fmt.Errorf("malformed event %+v", ev)
		}
		if ev.Timestamp.Before(start) || !ev.Timestamp.Before(end) {
			return fmt.Errorf("event outside the window: %v", ev.Timestamp)
		}
		if ev.UserID == "" && ev.AnonymousID == "" {
			return fmt.Errorf("event without identity %+v", ev)
		}
		if ev.Type == touchpoint.TypeTrack && ev.Event == "" || ev.Type == touchpoint.TypeAlias && ev.PreviousID == "" || ev.Type == touchpoint.TypeGroup && ev.GroupID == "" {
			return fmt.Errorf("incomplete %s call %+v", ev.Type, ev)
		}
		for _, raw := range [][]byte{ev.Properties, ev.Traits, ev.Context} {
			if len(raw) > 0 && (!json.Valid(raw) || raw[0] != '{') {
				return fmt.Errorf("bad JSON %s", raw)
			}
		}
		if ev.SourceID == "" {
			return fmt.Errorf("event without source %+v", ev)
		}
		if ev.UserID != "" {
			users[ev.UserID] = true
			if ev.Timestamp.After(lastSeen[ev.UserID]) {
				lastSeen[ev.UserID] = ev.Timestamp
			}
			if ev.AnonymousID != "" {
				if anonOf[ev.UserID] == nil {
					anonOf[ev.UserID] = map[string]bool{}
				}
				anonOf[ev.UserID][ev.AnonymousID] = true
			}
		} else {
			anonBefore[ev.AnonymousID] = true
		}
		if ev.Event == "Survey Responded" {
			var p struct {
				SurveyType string `json:"survey_type"`
				Score      float64
				Comment    string
				Language   string
			}
			json.Unmarshal(ev.Properties, &p)
			if p.Comment != "" {
				langs[p.Language] = true
				if p.Language != "en" && !hasNonASCIILetter(p.Comment) && p.Language != "vi" {
					return fmt.Errorf("%s comment in Latin script: %q", p.Language, p.Comment)
				}
			}
			if p.SurveyType == "nps" {
				npsOf[ev.UserID] = append(npsOf[ev.UserID], p.Score)
			}
		}
		events = append(events, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) < 10000 || sum.Customers != 10000 || sum.Events < 300000 {
		t.Fatalf("%d users, summary %+v", len(users), sum)
	}
	for _, ch := range []string{"web", "app", "email", "store", "call_center", "support", "survey", "server"} {
		if sum.ByChannel[ch] == 0 {
			t.Fatalf("no %s events: %v", ch, sum.ByChannel)
		}
	}
	for _, typ := range []string{"track", "identify", "page", "screen", "group", "alias"} {
		if sum.ByType[typ] == 0 {
			t.Fatalf("no %s calls: %v", typ, sum.ByType)
		}
	}
	// Anonymous browsing that later identifies, on two devices.
	linked, twoDevices := 0, 0
	for _, anons := range anonOf {
		for a := range anons {
			if anonBefore[a] {
				linked++
				break
			}
		}
		if len(anons) >= 2 {
			twoDevices++
		}
	}
	if linked < 5000 || twoDevices < 2000 {
		t.Fatalf("%d customers browsed anonymously before identifying, %d used two devices", linked, twoDevices)
	}
	for _, l := range []string{"en", "vi", "th", "fa"} {
		if !langs[l] {
			t.Fatalf("no %s comments (have %v)", l, langs)
		}
	}
	// Customers who went quiet for the last month (churners) score lower.
	for u, scores := range npsOf {
		churned := end.Sub(lastSeen[u]) > 30*24*time.Hour
		for _, s := range scores {
			nps[churned].sum += s
			nps[churned].n++
		}
	}
	churnedAvg, stayedAvg := nps[true].sum/nps[true].n, nps[false].sum/nps[false].n
	if nps[true].n < 50 || churnedAvg >= stayedAvg-0.5 {
		t.Fatalf("NPS of churners %.2f (n=%.0f) vs others %.2f: want clearly lower", churnedAvg, nps[true].n, stayedAvg)
	}
	if sum.Revenue < 100000 {
		t.Fatalf("revenue %.0f", sum.Revenue)
	}
	t.Logf("%d events, %d customers, %d visitors, revenue %.0f, NPS churned %.2f vs stayed %.2f", sum.Events, sum.Customers, sum.AnonymousVisitors, sum.Revenue, churnedAvg, stayedAvg)
}

func hasNonASCIILetter(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r > unicode.MaxASCII && unicode.IsLetter(r) }) >= 0
}
