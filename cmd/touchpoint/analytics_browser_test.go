package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/touchpoint-cx/touchpoint"
)

// TestAnalyticsPages drives the Analytics section of the real binary's
// dashboard in headless Chromium, on six customers sent through the
// collection API: builds a three-step funnel by clicking, reads the
// journey map's nodes and edges (in the chart's tooltips and the table
// beside it), compares it with a designed journey, reads the retention
// grid, refreshes scores and sees them on a profile, and checks that a
// viewer sees analytics but cannot refresh scores or open profiles.
func TestAnalyticsPages(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	ctx := context.Background()

	// Three days ago at 10:00 UTC, so every event is in the default
	// 30-day period and the retention grid has three daily cohorts.
	d0 := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3).Add(10 * time.Hour)
	at := func(day int, min int) string {
		return d0.Add(time.Duration(day)*24*time.Hour + time.Duration(min)*time.Minute).Format(time.RFC3339)
	}
	var calls []string
	add := func(user, kind, name string, ts string, props string) {
		body := fmt.Sprintf(`{"type":%q,"userId":%q,"timestamp":%q,"context":{"channel":"web"}`, kind, user, ts)
		if kind == "page" {
			body += fmt.Sprintf(`,"name":%q`, name)
		} else {
			body += fmt.Sprintf(`,"event":%q`, name)
		}
		if props != "" {
			body += `,"properties":` + props
		}
		calls = append(calls, body+"}")
	}
	nps := func(score int) string {
		return fmt.Sprintf(`{"survey_type":"nps","score":%d,"max_score":10}`, score)
	}
	// Who does what (P = Product Viewed, C = Cart Viewed, O = Order Completed):
	//   u1  Home P C, next day O and an NPS 9
	//   u2  Home P C O, two days later an NPS 10
	//   u3  Home P C
	//   u4  (day 1) Home P
	//   u5  (day 1) Home P P C O and an NPS 3
	//   u6  (day 2) Home
	add("u1", "page", "Home", at(0, 0), "")
	add("u1", "track", "Product Viewed", at(0, 1), "")
	add("u1", "track", "Cart Viewed", at(0, 5), "")
	add("u1", "track", "Order Completed", at(1, -60), `{"revenue":40}`)
	add("u1", "track", "Survey Responded", at(1, 0), nps(9))
	add("u2", "page", "Home", at(0, 60), "")
	add("u2", "track", "Product Viewed", at(0, 61), "")
	add("u2", "track", "Cart Viewed", at(0, 62), "")
	add("u2", "track", "Order Completed", at(0, 70), `{"revenue":25}`)
	add("u2", "track", "Survey Responded", at(2, 120), nps(10))
	add("u3", "page", "Home", at(0, 120), "")
	add("u3", "track", "Product Viewed", at(0, 122), "")
	add("u3", "track", "Cart Viewed", at(0, 123), "")
	add("u4", "page", "Home", at(1, 0), "")
	add("u4", "track", "Product Viewed", at(1, 2), "")
	add("u5", "page", "Home", at(1, 60), "")
	add("u5", "track", "Product Viewed", at(1, 61), "")
	add("u5", "track", "Product Viewed", at(1, 63), "")
	add("u5", "track", "Cart Viewed", at(1, 65), "")
	add("u5", "track", "Order Completed", at(1, 67), `{"revenue":15}`)
	add("u5", "track", "Survey Responded", at(1, 120), nps(3))
	add("u6", "page", "Home", at(2, 0), "")
	if code, resp := s.post("/v1/batch", keys.WriteKey, `{"batch":[`+strings.Join(calls, ",")+`]}`); code != 200 {
		t.Fatalf("%d %s", code, resp)
	}
	s.caughtUp()

	// The pickers' sources, through the API.
	c := s.client()
	acts, err := c.Activities(ctx, touchpoint.ActivityFilter{})
	if err != nil || len(acts) != 5 || acts[1] != (touchpoint.ActivityStat{Activity: "page:Home", Count: 6, Profiles: 6}) {
		t.Fatalf("activities %+v, %v", acts, err)
	}
	props, err := c.ActivityProperties(ctx, "Order Completed")
	if err != nil || len(props) != 1 || props[0].Key != "properties.revenue" || props[0].Count != 3 {
		t.Fatalf("properties of Order Completed %+v, %v", props, err)
	}
	if _, err := c.ScoreDistribution(ctx); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		t.Fatalf("score distribution before a refresh: %v", err)
	}

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
	// pick chooses an option of a select as a person would, so the
	// page's change handlers run.
	pick := func(sel, value string) chromedp.Action {
		return chromedp.Evaluate(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q;
			el.dispatchEvent(new Event('change', {bubbles: true})); return el.value; })()`, sel, value), nil)
	}
	// rows reads a table's body as lines of cells joined by "|".
	rows := func(id string) []string {
		var out []string
		b.eval(fmt.Sprintf(`Array.from(document.querySelectorAll('#%s tbody tr')).map(r => Array.from(r.cells).map(c => c.innerText.trim()).join('|'))`, id), &out)
		return out
	}
	hasRow := func(id string, cells ...string) {
		b.t.Helper()
		got := rows(id)
		for _, r := range got {
			if strings.HasPrefix(r, strings.Join(cells, "|")) {
				return
			}
		}
		b.t.Fatalf("table #%s has no row starting %q; it has:\n%s", id, strings.Join(cells, "|"), strings.Join(got, "\n"))
	}

	step("SignIn", func(t *testing.T) {
		b.open(s.url+"/analytics/funnels", `input[name=email]`)
		b.run(chromedp.SendKeys(`input[name=email]`, keys.AdminEmail, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=password]`, keys.AdminPassword, chromedp.ByQuery),
			chromedp.Submit(`form`, chromedp.ByQuery), chromedp.WaitVisible(`form[data-funnel]`, chromedp.ByQuery))
		b.expect(`.sidebar`, "ANALYTICS", "Journey map", "Funnels", "Paths", "Retention", "Key drivers", "Predictions")
		b.expect(`.empty`, "Build a funnel")
	})

	step("Funnel", func(t *testing.T) {
		// Two empty steps to start with; a third one is added by clicking.
		b.run(pick(`li[data-step]:nth-child(1) select`, "Product Viewed"),
			pick(`li[data-step]:nth-child(2) select`, "Cart Viewed"),
			chromedp.Click(`button[data-add-step]`, chromedp.ByQuery),
			chromedp.WaitVisible(`li[data-step]:nth-child(3) select`, chromedp.ByQuery),
			pick(`li[data-step]:nth-child(3) select`, "Order Completed"),
			// A filter on step 1 that every event passes.
			chromedp.Click(`li[data-step]:nth-child(1) [data-add-filter]`, chromedp.ByQuery),
			chromedp.SendKeys(`li[data-step]:nth-child(1) input[name=wfield]`, "channel", chromedp.ByQuery),
			chromedp.SendKeys(`li[data-step]:nth-child(1) input[name=wvalue]`, "web", chromedp.ByQuery),
			chromedp.Click(`//button[contains(., "Run funnel")]`),
			chromedp.WaitVisible(`[data-chart="funnel"][data-drawn]`, chromedp.ByQuery))
		hasRow("funnel-steps", "1", "Product Viewed\nwhere channel is web", "5", "100%")
		hasRow("funnel-steps", "2", "Cart Viewed", "4", "80%")
		hasRow("funnel-steps", "3", "Order Completed", "3", "60%")
		b.expect(`[data-kpi=converted]`, "3")
		// The drop-offs link to the customers' profiles.
		hasRow("funnel-dropped", "2", "Cart Viewed", "u4")
		hasRow("funnel-dropped", "3", "Order Completed", "u3")
		var links int
		b.eval(`document.querySelectorAll('#funnel-dropped a[href^="/profiles/"]').length`, &links)
		if links != 2 {
			t.Fatalf("%d profile links among the drop-offs, want 2", links)
		}
		// The builder keeps what was built.
		var steps []string
		b.eval(`Array.from(document.querySelectorAll('select[name=step]')).map(s => s.value)`, &steps)
		if strings.Join(steps, ",") != "Product Viewed,Cart Viewed,Order Completed" {
			t.Fatalf("builder after running shows steps %v", steps)
		}
		b.shot("analytics-funnel")
		// A step without an activity is left out; a bad filter is named.
		b.open(s.url+"/analytics/funnels?step=Product+Viewed&wstep=0&wfield=properties.x&wop=gt&wvalue=abc", `.alert`)
		b.expect(`.alert`, "steps[0].where[0].value", "number")
		b.check()
	})

	step("JourneyMap", func(t *testing.T) {
		b.open(s.url+"/analytics/journey-map", `[data-chart="journey"][data-drawn]`)
		b.expect(`[data-kpi=customers]`, "6")
		// What the chart draws, read from the chart itself: every activity
		// as a box, every transition with its count in its tooltip.
		var drawn struct {
			Nodes []string
			Tips  []string
		}
		b.eval(`(() => {
			const c = document.querySelector('[data-chart="journey"]')._chart;
			const o = c.getOption(), s = o.series[0], f = o.tooltip[0].formatter;
			const nodes = s.data.filter(d => d.info && !d.info.start).map(d => d.info.label);
			const seen = new Set(), tips = [];
			for (const l of s.links) {
				if (!l.info || seen.has(l.info)) continue;
				seen.add(l.info);
				tips.push(f({dataType: 'edge', data: l}));
			}
			for (const d of s.data) if (d.info) tips.push(f({dataType: 'node', data: d}));
			return {Nodes: nodes, Tips: tips};
		})()`, &drawn)
		for _, n := range []string{"Home (page)", "Product Viewed", "Cart Viewed", "Order Completed", "Survey Responded"} {
			if !strings.Contains(strings.Join(drawn.Nodes, "|"), n) {
				t.Fatalf("the map draws %v, not %s", drawn.Nodes, n)
			}
		}
		tips := strings.Join(drawn.Tips, "\n\n")
		for _, want := range []string{
			"Home (page) → Product Viewed\n5 times, by 5 customers",
			"Product Viewed → Cart Viewed\n4 times, by 4 customers",
			"Cart Viewed → Order Completed\n3 times, by 3 customers",
			"Order Completed\n3 customers · 3 times",
			"NPS +33 (3)", // 9 and 10 against a 3, given right after Order Completed
			"Product Viewed\n5 customers · 6 times",
			"Did it again: 1 customers",
		} {
			if !strings.Contains(tips, want) {
				t.Fatalf("the map's tooltips lack %q; they say:\n%s", want, tips)
			}
		}
		// The same in the tables beside the chart.
		hasRow("map-nodes", "Order Completed", "3", "3")
		b.expect(`#map-nodes`, "NPS 33 (3)")
		b.run(chromedp.Click(`[data-tab=edges]`, chromedp.ByQuery), chromedp.WaitVisible(`#map-edges`, chromedp.ByQuery))
		hasRow("map-edges", "Product Viewed", "Cart Viewed", "4", "4")
		hasRow("map-edges", "Cart Viewed", "Order Completed", "3", "3")
		b.shot("analytics-journey-map")

		// Against a designed journey that skips the cart: the cart is an
		// undesigned path, and those who never ordered skipped a step.
		b.run(chromedp.Click(`//summary[contains(., "designed journey")]`),
			chromedp.SendKeys(`textarea[name=designed]`, "page:Home > Product Viewed > Order Completed", chromedp.ByQuery),
			chromedp.Click(`//button[contains(., "Draw the map")]`),
			chromedp.WaitVisible(`#designed-edges`, chromedp.ByQuery))
		hasRow("designed-edges", "Product Viewed", "Order Completed", "0")
		hasRow("undesigned", "Product Viewed", "Cart Viewed", "4")
		hasRow("skipped", "Order Completed", "3")
		b.shot("analytics-journey-conformance")

		// Stages fold activities together.
		b.open(s.url+"/analytics/journey-map?stages="+url.QueryEscape("page:Home = browse\nProduct Viewed = browse\nCart Viewed = buy\nOrder Completed = buy"), `[data-chart="journey"][data-drawn]`)
		b.run(chromedp.Click(`[data-tab=edges]`, chromedp.ByQuery))
		hasRow("map-edges", "browse", "buy", "4")
		b.check()
	})

	step("Retention", func(t *testing.T) {
		b.open(s.url+"/analytics/retention?period=day&periods=3", `#retention-grid`)
		got := rows("retention-grid")
		// Day 0: u1, u2, u3; u1 comes back the next day, u2 the day after.
		// Day 1: u4, u5, who do not come back; day 2: u6.
		want := []string{d0.Format(time.DateOnly) + "|3|100%|33%|33%|", d0.AddDate(0, 0, 1).Format(time.DateOnly) + "|2|100%|0%|", d0.AddDate(0, 0, 2).Format(time.DateOnly) + "|1|100%|"}
		if len(got) < 3 {
			t.Fatalf("retention grid rows %q", got)
		}
		for i, w := range want {
			if !strings.HasPrefix(got[i], w) {
				t.Fatalf("retention row %d is %q, want it to start %q", i, got[i], w)
			}
		}
		b.run(chromedp.WaitVisible(`[data-chart="retention"][data-drawn]`, chromedp.ByQuery))
		b.shot("analytics-retention")
		b.check()
	})

	step("PathsAndDrivers", func(t *testing.T) {
		b.open(s.url+"/analytics/paths?event=Product+Viewed", `[data-chart="sankey"][data-drawn]`)
		hasRow("path-sequences", "1", "Product Viewed\nCart Viewed")
		b.shot("analytics-paths")
		// Three answers are too few for a model: the page says why.
		b.open(s.url+"/analytics/drivers", `main`)
		b.expect(`main`, "Key drivers")
		b.shot("analytics-drivers")
		b.check()
	})

	step("RefreshScores", func(t *testing.T) {
		b.open(s.url+"/analytics/predictions", `[data-refresh-scores]`)
		b.expect(`.page-head`, "No scores stored yet")
		b.run(chromedp.Click(`[data-refresh-scores]`, chromedp.ByQuery),
			chromedp.WaitVisible(`//span[contains(., "Scores stored")]`))
		b.expect(`.page-head`, "for 3 customers")
		b.shot("analytics-predictions")
		if d, err := c.ScoreDistribution(ctx); err != nil || d.Profiles != 3 {
			t.Fatalf("score distribution after the refresh: %+v, %v", d, err)
		}
		b.open(s.url+"/profiles/user_id:u1", `.scores-card`)
		b.expect(`.scores-card`, "Predictions", "Spent so far", "40.00")
		b.shot("profile-scores")
		b.check()
	})

	step("ViewerSeesButCannotRefresh", func(t *testing.T) {
		inv, err := s.client().Invite(ctx, "vi@example.com", touchpoint.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		b.run(chromedp.Click(`//button[contains(., "Sign out")]`), chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery))
		b.open(inv.URL, `input[name=confirm_password]`)
		b.run(chromedp.SendKeys(`input[name=name]`, "Vi Viewer", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=password]`, "viewer password 1", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=confirm_password]`, "viewer password 1", chromedp.ByQuery),
			chromedp.Submit(`form`, chromedp.ByQuery), chromedp.WaitVisible(`.sidebar`, chromedp.ByQuery))
		b.expect(`.sidebar`, "Journey map", "Funnels", "Predictions")
		b.open(s.url+"/analytics/predictions", `.page-head`)
		var buttons int
		b.eval(`document.querySelectorAll('[data-refresh-scores]').length`, &buttons)
		if buttons != 0 {
			t.Fatal("a viewer is offered the refresh button")
		}
		b.expect(`.page-head`, "Scores stored")
		var status string
		b.eval(`(async () => {
			const csrf = document.querySelector('meta[name=csrf-token]').content;
			const r = await fetch('/api/v1/analytics/scores/refresh', {method: 'POST', headers: {'X-CSRF-Token': csrf}});
			const f = await fetch('/api/v1/analytics/funnel', {method: 'POST', headers: {'X-CSRF-Token': csrf, 'Content-Type': 'application/json'}, body: '{"steps":[{"event":"Cart Viewed"}]}'});
			return r.status + ' ' + f.status;
		})()`, &status)
		if status != "403 200" {
			t.Fatalf("viewer's refresh and funnel answered %q, want 403 200", status)
		}
		// Drop-offs show as ids, without links to profiles a viewer may not open.
		b.open(s.url+"/analytics/funnels?step=Product+Viewed&step=Cart+Viewed", `#funnel-dropped`)
		var links int
		b.eval(`document.querySelectorAll('#funnel-dropped a').length`, &links)
		if links != 0 {
			t.Fatalf("a viewer gets %d links to profiles", links)
		}
		b.shot("analytics-funnel-viewer")
		b.check()
	})
	s.stop()
}
