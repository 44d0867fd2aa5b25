package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// choose picks an option of a select as a click would: it sets the value
// and tells the page it changed.
func choose(sel, value string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`(function(){var s=document.querySelector(%q); s.value=%q; s.dispatchEvent(new Event('change',{bubbles:true}));})()`, sel, value), nil)
}

// TestSegmentBuilder builds a segment in the dashboard by clicking: two
// conditions, the estimate following each, the JSON shown, saved, and its
// page listing the members; then the personas page. Screenshots of each
// page are saved for a person to look at.
func TestSegmentBuilder(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	wk := keys.WriteKey
	now := time.Now().UTC()
	// 24 customers: every third one ordered twice this month; one in four
	// is on the pro plan; each answered NPS.
	var batch []string
	for i := 0; i < 24; i++ {
		u := fmt.Sprintf("cust%02d", i)
		plan := "free"
		if i%4 == 3 {
			plan = "pro"
		}
		batch = append(batch, fmt.Sprintf(`{"type":"identify","userId":%q,"traits":{"plan":%q,"name":"Customer %d","email":"%s@example.com"}}`, u, plan, i, u))
		orders := 1
		if i%3 == 0 {
			orders = 2
		}
		for j := 0; j < orders; j++ {
			at := now.Add(-time.Duration(2+j*7) * 24 * time.Hour).Format(time.RFC3339)
			ch := []string{"web", "store", "app"}[i%3]
			batch = append(batch, fmt.Sprintf(`{"type":"track","userId":%q,"event":"Order Completed","timestamp":%q,"context":{"channel":%q},"properties":{"revenue":%d}}`, u, at, ch, 30+i*5))
		}
		batch = append(batch, fmt.Sprintf(`{"type":"track","userId":%q,"event":"Survey Responded","properties":{"survey_type":"nps","score":%d,"response_id":"r%d"}}`, u, i%11, i))
	}
	if code, out := s.post("/v1/batch", wk, `{"batch":[`+strings.Join(batch, ",")+`]}`); code != 200 {
		t.Fatalf("%d %s", code, out)
	}
	s.caughtUp()

	b := newBrowser(t)
	step := func(name string, f func(t *testing.T)) {
		parent := b.t
		t.Run(name, func(t *testing.T) {
			b.t = t
			defer func() { b.t = parent }()
			f(t)
		})
		if t.Failed() {
			t.FailNow()
		}
	}
	step("SignIn", func(t *testing.T) {
		b.open(s.url+"/segments", `input[name=email]`)
		b.run(chromedp.SendKeys(`input[name=email]`, keys.AdminEmail, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=password]`, keys.AdminPassword, chromedp.ByQuery),
			chromedp.Submit(`form`, chromedp.ByQuery), chromedp.WaitVisible(`.sidebar`, chromedp.ByQuery))
		b.expect(`.sidebar`, "Segments", "Personas")
		b.expect(`main`, "No segments yet", "Build a segment")
		b.shot("segments-empty")
		b.check()
	})

	var id string
	step("Build", func(t *testing.T) {
		b.run(chromedp.Click(`//a[contains(., "Build a segment")]`), chromedp.WaitVisible(`[data-segment-builder]`, chromedp.ByQuery))
		b.run(chromedp.SendKeys(`input[name=name]`, "Loyal pro buyers", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=description]`, "Ordered twice this month, on pro", chromedp.ByQuery))
		// First condition: did Order Completed at least twice in 30 days.
		b.run(choose(`[data-add-kind]`, "event"), chromedp.WaitVisible(`.seg-cond[data-kind=event]`, chromedp.ByQuery))
		b.run(chromedp.SendKeys(`.seg-cond[data-kind=event] input[aria-label="Event name"]`, "Order Completed", chromedp.ByQuery),
			fill(`.seg-cond[data-kind=event] input[aria-label="Count"]`, "2"))
		b.run(chromedp.WaitVisible(`//span[@data-estimate-size][text()="8"]`))
		b.expect(`[data-estimate]`, "8", "of 24 customers")
		// Second: plan is pro.
		b.run(choose(`.seg-group > .seg-add select`, "trait"), chromedp.WaitVisible(`.seg-cond[data-kind=trait]`, chromedp.ByQuery))
		b.run(chromedp.SendKeys(`.seg-cond[data-kind=trait] input[aria-label="Trait"]`, "plan", chromedp.ByQuery),
			chromedp.SendKeys(`.seg-cond[data-kind=trait] input[aria-label="Value"]`, "pro", chromedp.ByQuery))
		b.run(chromedp.WaitVisible(`//span[@data-estimate-size][text()="2"]`))
		// The JSON is there for those who want it.
		b.run(chromedp.Click(`[data-json-panel] summary`, chromedp.ByQuery), chromedp.WaitVisible(`[data-json]`, chromedp.ByQuery))
		var js string
		b.eval(`document.querySelector('[data-json]').value`, &js)
		for _, want := range []string{`"name": "Order Completed"`, `"count": 2`, `"within_days": 30`, `"key": "plan"`, `"value": "pro"`} {
			if !strings.Contains(js, want) {
				t.Fatalf("the JSON lacks %s:\n%s", want, js)
			}
		}
		// Excluding a condition turns it around, and the estimate follows.
		b.run(chromedp.Click(`.seg-cond[data-kind=trait] .seg-not`, chromedp.ByQuery), chromedp.WaitVisible(`//span[@data-estimate-size][text()="6"]`))
		b.run(chromedp.Click(`.seg-cond[data-kind=trait] .seg-not`, chromedp.ByQuery), chromedp.WaitVisible(`.seg-cond[data-kind=trait]:not(.seg-excluded)`, chromedp.ByQuery))
		b.run(chromedp.WaitVisible(`//span[@data-estimate-size][text()="2"]`))
		b.expect(`[data-estimate]`, "2", "of 24 customers")
		b.shot("segment-builder")
		b.run(chromedp.Click(`[data-save]`, chromedp.ByQuery), chromedp.WaitVisible(`#seg-size`, chromedp.ByQuery))
		var path string
		b.eval(`location.pathname`, &path)
		id = strings.TrimPrefix(path, "/segments/")
		if !strings.HasPrefix(id, "seg_") {
			t.Fatalf("after saving at %s", path)
		}
		b.check()
	})

	step("Members", func(t *testing.T) {
		s.evaluated(id)
		b.open(s.url+"/segments/"+id, `#members`)
		b.run(chromedp.WaitVisible(`[data-segment-chart][data-drawn]`, chromedp.ByQuery))
		b.expect(`#seg-size`, "2")
		b.expect(`main`, "Loyal pro buyers", "Customers who did Order Completed at least 2 times in the last 30 days and trait plan is \"pro\"",
			"Customer 3", "Customer 15", "Entries and exits", "the definition", "Download all as CSV", "Destinations")
		b.shot("segment")
		// The journey map narrowed to the segment: its two customers.
		deadline := time.Now().Add(30 * time.Second)
		for {
			b.open(s.url+"/analytics/journey-map?members="+id, `[data-kpi="customers"]`)
			if got := strings.TrimSpace(b.text(`[data-kpi="customers"]`)); got == "2" {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("the journey map of the segment shows %s customers, want 2", got)
			}
			time.Sleep(200 * time.Millisecond)
		}
		var chosen string
		b.eval(`document.querySelector('select[name=members]').value`, &chosen)
		if chosen != id {
			t.Fatalf("the scope's segment picker shows %q, want %s", chosen, id)
		}
		b.expect(`select[name=members]`, "Segment: Loyal pro buyers")
		// The list shows it with its size.
		b.open(s.url+"/segments", `table.data`)
		b.expect(`table.data`, "Loyal pro buyers", "2")
		b.shot("segments")
		b.check()
	})

	step("Edit", func(t *testing.T) {
		b.open(s.url+"/segments/"+id+"/edit", `.seg-cond[data-kind=trait]`)
		var name string
		b.eval(`document.querySelector('input[name=name]').value`, &name)
		if name != "Loyal pro buyers" {
			t.Fatalf("the editor starts from %q", name)
		}
		b.run(chromedp.WaitVisible(`//span[@data-estimate-size][text()="2"]`))
		b.check()
	})

	step("Personas", func(t *testing.T) {
		b.open(s.url+"/personas", `main`)
		b.expect(`main`, "No personas yet")
		b.run(chromedp.Click(`[data-refresh-personas]`, chromedp.ByQuery), chromedp.WaitVisible(`.persona`, chromedp.ByQuery))
		b.expect(`main`, "Discovered", "groups", "Customers", "NPS", "Churn risk", "proxy: share of members not seen in 30 days")
		var cards int
		b.eval(`document.querySelectorAll('.persona').length`, &cards)
		if cards < 2 {
			t.Fatalf("%d persona cards", cards)
		}
		b.shot("personas")
		b.check()
	})
	ctx := context.Background()
	if _, err := s.client().Segment(ctx, id); err != nil {
		t.Fatal(err)
	}
	s.stop()
}
