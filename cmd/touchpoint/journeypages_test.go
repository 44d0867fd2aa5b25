package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/touchpoint-cx/touchpoint"
)

// fill sets a form field's value and tells the page, as typing would.
func fill(sel, v string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e) throw new Error('no element ' + %q);
		e.focus(); e.value = %q;
		e.dispatchEvent(new Event('input', {bubbles: true}));
		e.dispatchEvent(new Event('change', {bubbles: true}));
	})()`, sel, sel, v), nil)
}

// drag presses the mouse on the element from, moves it in steps to the
// centre of the element to (shifted by dx, dy) and releases it there, as a
// person drags. The canvas is scrolled first so that both ends show.
func (b *browser) drag(from, to string, dx, dy float64) {
	b.t.Helper()
	var pts []float64
	b.eval(fmt.Sprintf(`(() => {
		const a = document.querySelector(%q), z = document.querySelector(%q), w = document.querySelector('.canvas-wrap');
		if (!a || !z) throw new Error('nothing to drag between %s and %s');
		let ra = a.getBoundingClientRect(), rz = z.getBoundingClientRect(), rw = w.getBoundingClientRect();
		w.scrollLeft += (Math.min(ra.left, rz.left) + Math.max(ra.right, rz.right)) / 2 - (rw.left + rw.width / 2);
		w.scrollTop += (Math.min(ra.top, rz.top) + Math.max(ra.bottom, rz.bottom)) / 2 - (rw.top + rw.height / 2);
		ra = a.getBoundingClientRect(); rz = z.getBoundingClientRect();
		return [ra.left + ra.width / 2, ra.top + ra.height / 2, rz.left + rz.width / 2 + %f, rz.top + rz.height / 2 + %f];
	})()`, from, to, from, to, dx, dy), &pts)
	x0, y0, x1, y1 := pts[0], pts[1], pts[2], pts[3]
	acts := []chromedp.Action{input.DispatchMouseEvent(input.MouseMoved, x0, y0),
		input.DispatchMouseEvent(input.MousePressed, x0, y0).WithButton(input.Left).WithButtons(1).WithClickCount(1)}
	for i := 1; i <= 8; i++ {
		f := float64(i) / 8
		acts = append(acts, input.DispatchMouseEvent(input.MouseMoved, x0+(x1-x0)*f, y0+(y1-y0)*f).WithButton(input.Left).WithButtons(1))
	}
	acts = append(acts, input.DispatchMouseEvent(input.MouseReleased, x1, y1).WithButton(input.Left).WithButtons(0).WithClickCount(1))
	b.run(acts...)
}

// svgText returns the text of an SVG element (which has no innerText).
func (b *browser) svgText(sel string) string {
	b.t.Helper()
	var s string
	b.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.textContent : ''; })()`, sel), &s)
	return s
}

// shotCanvas saves screenshots of a page with the journey canvas, then
// waits until the canvas has redrawn itself for the laptop width again.
func (b *browser) shotCanvas(name string) {
	b.t.Helper()
	b.shot(name)
	b.run(chromedp.WaitReady(`[data-builder][data-layout="wide"]`, chromedp.ByQuery))
}

// count returns how many elements match sel.
func (b *browser) count(sel string) int {
	b.t.Helper()
	var n int
	b.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n)
	return n
}

// signIn signs in through the form.
func (b *browser) signIn(url, email, password string) {
	b.t.Helper()
	b.open(url+"/login", `input[name=email]`)
	b.run(chromedp.SendKeys(`input[name=email]`, email, chromedp.ByQuery), chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
		chromedp.Submit(`form`, chromedp.ByQuery), chromedp.WaitVisible(`.sidebar`, chromedp.ByQuery))
}

// TestJourneyPages builds a journey on the canvas of the real binary's
// dashboard in headless Chromium, by clicking and dragging: an event entry,
// a wait, a branch and a webhook to a local receiver. Saving shows the
// API's error at the branch's expression; fixed, the journey is dry-run
// against a profile (its path lights up), published and triggered through
// the collection API, and its page shows the counts. It also looks at a
// split with a holdout and dead letters, the outbox, the messaging rules,
// consent on a profile, and checks that a viewer sees no edit controls and
// is refused by the server.
func TestJourneyPages(t *testing.T) {
	env := newJourneyEnv(t)
	// Failing webhooks give up after two quick attempts, so dead letters
	// show without waiting.
	cfg, err := os.ReadFile(env.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg = []byte(strings.Replace(string(cfg), `"max_attempts":20`, `"max_attempts":2`, 1))
	if err := os.WriteFile(env.config, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	s := env.start(t)
	allowLoopback(t, s)
	ctx := context.Background()
	c := s.client()
	wk := env.keys.WriteKey

	for i, body := range []string{
		`{"type":"identify","userId":"ana","traits":{"email":"ana@example.com","first_name":"Ana","plan":"pro"}}`,
		`{"type":"identify","userId":"bo","traits":{"email":"bo@example.com","first_name":"Bo","plan":"free"}}`,
	} {
		if code, out := s.post("/v1/batch", wk, `{"batch":[`+strings.Replace(body, "{", fmt.Sprintf(`{"messageId":"jp-seed-%d",`, i), 1)+`]}`); code != 200 {
			t.Fatalf("%d %s", code, out)
		}
	}
	s.caughtUp()
	if _, err := c.CreateSurvey(ctx, &touchpoint.Survey{Name: "Onboarding CSAT", Type: touchpoint.SurveyCSAT, Status: touchpoint.SurveyActive}); err != nil {
		t.Fatal(err)
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

	step("EmptyList", func(t *testing.T) {
		b.signIn(s.url, env.keys.AdminEmail, env.keys.AdminPassword)
		b.open(s.url+"/journeys", `.empty`)
		b.expect(`.empty`, "No journeys yet", "touchpoint journeys apply DIR", "Build a journey")
		b.shot("journeys-empty")
		b.check()
	})

	const jid = "welcome-webhook"
	var js = func(f string, a ...any) string { return fmt.Sprintf(f, a...) }
	port := func(node, port string) string {
		return js(`.jnode[data-node=%q] .port[data-port=%q] .port-hit`, node, port)
	}
	body := func(node string) string { return js(`.jnode[data-node=%q] .jn-body`, node) }

	step("Build", func(t *testing.T) {
		b.run(chromedp.Click(`//a[contains(., "Build a journey")]`), chromedp.WaitReady(`[data-builder][data-ready]`, chromedp.ByQuery))
		// The journey's name (its id follows it), then the entry.
		b.run(chromedp.SendKeys(`.panel [data-field="name"]`, "Welcome webhook", chromedp.ByQuery))
		var id string
		b.eval(`document.querySelector('.panel [data-field="id"]').value`, &id)
		if id != jid {
			t.Fatalf("id from the name: %q", id)
		}
		b.run(chromedp.Click(body("entry"), chromedp.ByQuery), chromedp.WaitVisible(`.panel [data-field="type"]`, chromedp.ByQuery),
			chromedp.SendKeys(`.panel [data-field="event"]`, "Signed Up", chromedp.ByQuery))
		// A wait, a branch and a webhook from the palette; each lands to
		// the right of the step selected before it.
		b.run(chromedp.Click(`[data-add="wait"]`, chromedp.ByQuery), chromedp.WaitVisible(`.panel [data-field="duration"]`, chromedp.ByQuery),
			fill(`.panel [data-field="duration"]`, "1s"))
		b.run(chromedp.Click(`[data-add="branch"]`, chromedp.ByQuery), chromedp.WaitVisible(`.panel [data-field="branches[0].when"]`, chromedp.ByQuery),
			fill(`.panel [data-field="branches[0].name"]`, "pro"))
		// A mistake the API will name: an expression cut short.
		b.run(chromedp.SendKeys(`.panel [data-field="branches[0].when"]`, `profile.traits.plan ==`, chromedp.ByQuery))
		b.run(chromedp.Click(`[data-add="webhook"]`, chromedp.ByQuery), chromedp.WaitVisible(`.panel [data-field="url"]`, chromedp.ByQuery),
			fill(`.panel [data-field="url"]`, env.hookURL+"/welcome"))
		// Connect the steps by dragging from each named output.
		b.drag(port("entry", "next"), body("wait-1"), 0, 0)
		b.drag(port("wait-1", "next"), body("branch-1"), 0, 0)
		b.drag(port("branch-1", "pro"), body("webhook-1"), 0, 0)
		if n := b.count(`.edge`); n != 3 {
			t.Fatalf("%d connections drawn, want 3", n)
		}
		b.check()
	})

	step("ErrorAtTheField", func(t *testing.T) {
		b.run(chromedp.Click(`[data-do="save"]`, chromedp.ByQuery), chromedp.WaitVisible(`.panel .field-error`, chromedp.ByQuery))
		// The branch is selected, its expression marked, the API's words beside it.
		b.expect(`.panel .field-error`, "expression")
		if b.count(`.panel [data-field="branches[0].when"].invalid`) != 1 || b.count(`.jnode[data-node="branch-1"].invalid`) != 1 {
			t.Fatal("the error is not shown at the branch's expression")
		}
		b.expect(`[data-b="saved"]`, "nodes[1].branches[0].when")
		b.shotCanvas("journey-builder-error")
		b.check()
	})

	step("FixAndSave", func(t *testing.T) {
		b.run(chromedp.WaitVisible(`.panel [data-field="branches[0].when"]`, chromedp.ByQuery), fill(`.panel [data-field="branches[0].when"]`, `profile.traits.plan == "pro"`),
			chromedp.Click(`[data-do="save"]`, chromedp.ByQuery), chromedp.WaitVisible(`//span[@data-b="saved"][starts-with(., "saved")]`))
		var path string
		b.eval(`location.pathname`, &path)
		if path != "/journeys/"+jid+"/edit" {
			t.Fatalf("after the first save the builder is at %s", path)
		}
		j, err := c.Journey(ctx, jid)
		if err != nil {
			t.Fatal(err)
		}
		d := j.Draft
		if d.Name != "Welcome webhook" || d.Entry.Event != "Signed Up" || d.Entry.Next != "wait-1" || len(d.Nodes) != 3 {
			t.Fatalf("saved draft %+v", d)
		}
		if w, br, h := d.Node("wait-1"), d.Node("branch-1"), d.Node("webhook-1"); w.Next != "branch-1" || time.Duration(w.Duration) != time.Second ||
			br.Branches[0].Name != "pro" || br.Branches[0].Next != "webhook-1" || h.URL != env.hookURL+"/welcome" || h.Position == nil {
			t.Fatalf("saved steps %+v %+v %+v", w, br, h)
		}
		// Moving a step saves its new place.
		before := *d.Node("webhook-1").Position
		b.drag(body("webhook-1"), body("webhook-1"), 0, 80)
		b.run(chromedp.WaitVisible(`//span[@data-b="saved"][contains(., "unsaved")]`),
			chromedp.Click(`[data-do="save"]`, chromedp.ByQuery), chromedp.WaitVisible(`//span[@data-b="saved"][starts-with(., "saved")]`))
		j, err = c.Journey(ctx, jid)
		if err != nil {
			t.Fatal(err)
		}
		if after := *j.Draft.Node("webhook-1").Position; after.Y < before.Y+60 || after.X != before.X {
			t.Fatalf("moved from %+v to %+v", before, after)
		}
		b.run(chromedp.Click(`[data-do="validate"]`, chromedp.ByQuery), chromedp.WaitVisible(`//div[contains(@class,"toast")][contains(., "valid")]`))
		b.check()
	})

	step("DryRun", func(t *testing.T) {
		b.run(chromedp.Click(`[data-do="dryrun"]`, chromedp.ByQuery), chromedp.WaitVisible(`.panel [data-field="profile"]`, chromedp.ByQuery),
			chromedp.SendKeys(`.panel [data-field="profile"]`, "user_id:ana", chromedp.ByQuery),
			chromedp.Click(`//div[@class="panel-actions"]/button[.="Run"]`), chromedp.WaitVisible(`[data-dryrun-result] [data-outcome]`, chromedp.ByQuery))
		b.expect(`[data-dryrun-result]`, "Would enter", "branch-1", "pro", "webhook-1")
		var lit []string
		b.eval(`[...document.querySelectorAll('.jnode.on-path')].map(e => e.dataset.node)`, &lit)
		if strings.Join(lit, " ") != "entry wait-1 branch-1 webhook-1" || b.count(`.edge.on-path`) != 3 {
			t.Fatalf("path lit: %v and %d connections", lit, b.count(`.edge.on-path`))
		}
		b.run(chromedp.Evaluate(`document.querySelector('.canvas-wrap').scrollTo(0, 0)`, nil))
		b.shotCanvas("journey-builder-dryrun")
		// Bo is on the free plan: the else output, which leads nowhere.
		b.run(fill(`.panel [data-field="profile"]`, "user_id:bo"), chromedp.Click(`//div[@class="panel-actions"]/button[.="Run"]`),
			chromedp.WaitVisible(`//*[@data-dryrun-result]//span[.="else"]`))
		if b.count(`.jnode.on-path`) != 3 || b.count(`.jnode[data-node="webhook-1"].on-path`) != 0 {
			t.Fatal("bo's path lights the webhook")
		}
		b.check()
	})

	step("DocumentAndPreview", func(t *testing.T) {
		b.run(chromedp.Click(`[data-do="document"]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-doc-dialog] [data-doc-text]`, chromedp.ByQuery))
		b.expect(`[data-doc-text]`, `"id": "welcome-webhook"`, `"next": "wait-1"`)
		b.run(chromedp.Click(`[data-doc-tab="yaml"]`, chromedp.ByQuery), chromedp.WaitVisible(`//pre[@data-doc-text][contains(., "name: Welcome webhook")]`))
		b.shotCanvas("journey-document")
		b.run(chromedp.Click(`[data-doc-close]`, chromedp.ByQuery))
		// The webhook's body for Ana, rendered by the server into a sandboxed frame.
		b.run(chromedp.Click(body("webhook-1"), chromedp.ByQuery), chromedp.WaitVisible(`.panel [data-field="preview.profile"]`, chromedp.ByQuery),
			fill(`.panel [data-field="preview.profile"]`, "user_id:ana"), chromedp.Click(`//div[contains(@class,"preview")]//button[.="Preview"]`))
		// The frame is sandboxed with no origin, so the page cannot read it:
		// wait for it to load, then ask the preview page the same question.
		b.run(chromedp.WaitReady(`.preview-frame[data-loaded]`, chromedp.ByQuery))
		var got string
		b.eval(`(async () => {
			const r = await fetch('/journeys/preview', {method: 'POST', body: new FormData(document.querySelector('[data-preview-form]'))});
			return r.status + ' ' + r.headers.get('Content-Security-Policy') + '\n' + await r.text();
		})()`, &got)
		if !strings.HasPrefix(got, "200 sandbox;") || !strings.Contains(got, `&#34;first_name&#34;: &#34;Ana&#34;`) {
			t.Fatalf("preview page: %.1500s", got)
		}
		b.run(chromedp.Click(`[data-preview-close]`, chromedp.ByQuery))
		// An email step's preview renders the subject for Ana, through the API too.
		pv, err := c.PreviewMessage(ctx, touchpoint.MessagePreviewRequest{Profile: "user_id:ana", Node: touchpoint.JourneyStep{ID: "m", Type: "email",
			Message: &touchpoint.MessageContent{Subject: "Hi {{.profile.traits.first_name}}", HTML: "<p>Welcome</p>"}}})
		if err != nil || pv.Subject != "Hi Ana" || pv.To != "ana@example.com" {
			t.Fatalf("preview by API: %+v %v", pv, err)
		}
		b.check()
	})

	step("Publish", func(t *testing.T) {
		b.run(chromedp.Click(`[data-do="publish"]`, chromedp.ByQuery), chromedp.WaitVisible(`//span[@data-b="status"]/span[.="live · v1"]`),
			chromedp.WaitVisible(`[data-do="stop"]`, chromedp.ByQuery))
		j, err := c.Journey(ctx, jid)
		if err != nil || j.Status != touchpoint.JourneyLive || j.ActiveVersion != 1 {
			t.Fatalf("after publishing: %+v %v", j, err)
		}
		b.shotCanvas("journey-builder")
		b.check()
	})

	step("TriggerAndCounts", func(t *testing.T) {
		if code, out := s.post("/v1/track", wk, `{"userId":"ana","event":"Signed Up","messageId":"jp-signup-ana"}`); code != 200 {
			t.Fatalf("%d %s", code, out)
		}
		if code, out := s.post("/v1/track", wk, `{"userId":"bo","event":"Signed Up","messageId":"jp-signup-bo"}`); code != 200 {
			t.Fatalf("%d %s", code, out)
		}
		select {
		case key := <-env.hook.got:
			if !strings.HasPrefix(key, "enr_") {
				t.Fatalf("webhook idempotency key %q", key)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the webhook was not received")
		}
		// The page shows the counts once the dispatcher has recorded the send.
		deadline := time.Now().Add(30 * time.Second)
		for {
			b.open(s.url+"/journeys/"+jid, `[data-builder][data-ready]`)
			if strings.Contains(b.svgText(`.jnode[data-node="webhook-1"]`), "1 sent") && strings.Contains(b.svgText(`.jnode[data-node="wait-1"]`), "2 entered") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("counts not shown: %q", b.svgText(`.canvas`))
			}
			time.Sleep(300 * time.Millisecond)
		}
		if e, br := b.svgText(`.jnode[data-node="entry"]`), b.svgText(`.jnode[data-node="branch-1"]`); !strings.Contains(e, "2 entered") ||
			!strings.Contains(br, "pro · 1") || !strings.Contains(br, "else · 1") {
			t.Fatalf("entry shows %q, branch %q", e, br)
		}
		b.expect(`[data-kpi="enrolled"]`, "2")
		b.expect(`tr[data-node-row="webhook-1"]`, "1")
		// The busiest connection is the thickest.
		var widths map[string]float64
		b.eval(`Object.fromEntries([...document.querySelectorAll('.edge')].map(e => [e.dataset.edge, parseFloat(e.getAttribute('stroke-width'))]))`, &widths)
		if widths["entry|next"] <= widths["branch-1|pro"] {
			t.Fatalf("edge widths %v", widths)
		}
		b.expect(`main`, "Versions", "v1", "Outbox", "webhook", "Latest enrolments")
		b.run(chromedp.Click(body("branch-1"), chromedp.ByQuery), chromedp.WaitVisible(`//aside[@data-panel]//dt[contains(., "Passed")]`))
		b.shotCanvas("journey-stats")
		b.check()
	})

	step("SplitAndDeadLetters", func(t *testing.T) {
		failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "crm is down", http.StatusServiceUnavailable)
		}))
		defer failing.Close()
		doc := `
name: Win back carts
entry: {type: event, event: Cart Abandoned, reentry: always, next: ab}
nodes:
  - id: ab
    type: split
    arms:
      - {name: hook, weight: 70, next: crm}
      - {name: holdout, weight: 30, holdout: true}
  - {id: crm, type: webhook, url: "` + failing.URL + `/carts"}
goal: {event: Order Completed, within: 7d}
`
		if _, err := c.PutJourney(ctx, "winback", []byte(doc)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PublishJourney(ctx, "winback"); err != nil {
			t.Fatal(err)
		}
		var carts, orders []string
		for i := range 12 {
			carts = append(carts, fmt.Sprintf(`{"type":"track","userId":"cart-%d","event":"Cart Abandoned","messageId":"jp-cart-%d"}`, i, i))
			if i%3 == 0 {
				orders = append(orders, fmt.Sprintf(`{"type":"track","userId":"cart-%d","event":"Order Completed","messageId":"jp-order-%d"}`, i, i))
			}
		}
		if code, out := s.post("/v1/batch", wk, `{"batch":[`+strings.Join(carts, ",")+`]}`); code != 200 {
			t.Fatalf("%d %s", code, out)
		}
		waitFor(t, "enrolments", func() bool {
			st, err := c.JourneyStats(ctx, "winback", 0)
			return err == nil && st.Enrolled == 12
		})
		if code, out := s.post("/v1/batch", wk, `{"batch":[`+strings.Join(orders, ",")+`]}`); code != 200 {
			t.Fatalf("%d %s", code, out)
		}
		waitFor(t, "dead letters", func() bool {
			ms, err := c.Messages(ctx, "dead")
			return err == nil && len(ms) > 0
		})
		waitFor(t, "conversions", func() bool {
			st, err := c.JourneyStats(ctx, "winback", 0)
			return err == nil && st.Converted == 4
		})
		b.open(s.url+"/journeys/winback", `[data-builder][data-ready]`)
		b.expect(`main`, "Split “ab”", "holdout", "baseline", "Dead letters", "503 Service Unavailable")
		b.shotCanvas("journey-split")
		b.open(s.url+"/messages?status=dead", `table.outbox`)
		b.expect(`table.outbox`, "dead", "503 Service Unavailable", "Retry")
		b.shot("messages")
		b.check()
	})

	step("EmailPreview", func(t *testing.T) {
		// An email step added to the live journey's draft, previewed for
		// Ana with its own styles, and saved: the list then says the draft
		// changed.
		b.open(s.url+"/journeys/winback/edit", `[data-builder][data-ready]`)
		b.run(chromedp.Click(`[data-add="email"]`, chromedp.ByQuery), chromedp.WaitVisible(`.panel [data-field="message.subject"]`, chromedp.ByQuery),
			chromedp.SendKeys(`.panel [data-field="message.subject"]`, "{{.profile.traits.first_name}}, your cart is waiting", chromedp.ByQuery),
			fill(`.panel [data-field="message.html"]`, `<h2 style="color:#dd2590">Hi {{.profile.traits.first_name}}</h2><p>Your cart is still here.</p><p><a href="{{.unsubscribe_url}}">Unsubscribe</a></p>`),
			fill(`.panel [data-field="preview.profile"]`, "user_id:ana"),
			chromedp.Click(`//div[contains(@class,"preview")]//button[.="Preview"]`), chromedp.WaitReady(`.preview-frame[data-loaded]`, chromedp.ByQuery))
		var got string
		b.eval(`(async () => {
			const r = await fetch('/journeys/preview', {method: 'POST', body: new FormData(document.querySelector('[data-preview-form]'))});
			return await r.text();
		})()`, &got)
		if !strings.Contains(got, "Ana, your cart is waiting") || !strings.Contains(got, `<h2 style="color:#dd2590">Hi Ana</h2>`) || !strings.Contains(got, "ana@example.com") {
			t.Fatalf("email preview: %.2000s", got)
		}
		b.shotCanvas("journey-builder-email")
		b.run(chromedp.Click(`[data-preview-close]`, chromedp.ByQuery), chromedp.Click(`[data-do="save"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`//span[@data-b="saved"][starts-with(., "saved")]`))
		b.check()
	})

	step("ListMessagingAndProfile", func(t *testing.T) {
		b.open(s.url+"/journeys", `table.journeys-table`)
		b.expect(`tr[data-journey="welcome-webhook"]`, "Welcome webhook", "live · v1", "Event “Signed Up”", "2")
		b.expect(`tr[data-journey="winback"]`, "Win back carts", "12", "draft changed")
		b.shot("journeys")

		b.open(s.url+"/messaging", `form[data-api="PUT /api/v1/messaging/settings"]`)
		b.run(fill(`input[name="budget.max"]`, "5"), chromedp.Click(`//button[.="Save rules"]`),
			chromedp.WaitVisible(`//div[contains(@class,"toast")][contains(., "Messaging rules saved")]`))
		st, err := c.MessagingSettings(ctx)
		if err != nil || st.Budget.Max != 5 || time.Duration(st.Budget.Per) != 7*24*time.Hour || len(st.AllowedHosts) != 1 || st.AllowedHosts[0] != "127.0.0.1" ||
			len(st.OptInChannels) != 1 || st.OptInChannels[0] != "sms" {
			t.Fatalf("settings after saving the form: %+v %v", st, err)
		}
		b.run(chromedp.SendKeys(`form[data-api="POST /api/v1/suppressions"] input[name=value]`, "Bounced@Example.com", chromedp.ByQuery),
			chromedp.SendKeys(`form[data-api="POST /api/v1/suppressions"] input[name=reason]`, "hard bounce", chromedp.ByQuery),
			chromedp.Click(`//button[.="Suppress address"]`), chromedp.WaitVisible(`//td[.="bounced@example.com"]`))
		b.shot("messaging")

		b.open(s.url+"/profiles/user_id:ana", `.consent-card`)
		b.expect(`.consent-card`, "Email", "no answer", "SMS", "needs an opt-in")
		b.expect(`main`, "Welcome webhook")
		b.run(setValue(`li[data-channel="email"] select[name=status]`, "unsubscribed"),
			chromedp.Click(`li[data-channel="email"] button`, chromedp.ByQuery),
			chromedp.WaitVisible(`//li[@data-channel="email"]//span[.="unsubscribed"]`))
		consent, err := c.Consent(ctx, "user_id:ana")
		if err != nil || len(consent.Consent) != 1 || consent.Consent[0].Status != "unsubscribed" || consent.Consent[0].Source != "dashboard" {
			t.Fatalf("consent: %+v %v", consent, err)
		}
		b.shot("profile-consent")
		b.check()
	})

	step("ViewerReadsOnly", func(t *testing.T) {
		inv, err := c.Invite(ctx, "vera@example.com", touchpoint.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		b.run(chromedp.Click(`//button[contains(., "Sign out")]`), chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery))
		b.open(inv.URL, `input[name=confirm_password]`)
		b.run(chromedp.SendKeys(`input[name=name]`, "Vera Viewer", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=password]`, "viewer password 1", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=confirm_password]`, "viewer password 1", chromedp.ByQuery),
			chromedp.Submit(`form`, chromedp.ByQuery), chromedp.WaitVisible(`.sidebar`, chromedp.ByQuery))
		b.open(s.url+"/journeys", `table.journeys-table`)
		if nav := b.text(`.sidebar`); !strings.Contains(nav, "Journeys") || strings.Contains(nav, "Messaging rules") || strings.Contains(nav, "Messages") {
			t.Fatalf("a viewer's navigation shows:\n%s", nav)
		}
		if n := b.count(`a[href="/journeys/new"], a[href$="/edit"]`); n != 0 {
			t.Fatalf("a viewer sees %d edit links", n)
		}
		b.open(s.url+"/journeys/"+jid, `[data-builder][data-ready]`)
		if got := b.svgText(`.jnode[data-node="webhook-1"]`); !strings.Contains(got, "1 sent") {
			t.Fatalf("a viewer's canvas shows %q", got)
		}
		if n := b.count(`a[href$="/edit"], button[data-api], [data-add], [data-do], .port-hit`); n != 0 {
			t.Fatalf("a viewer sees %d edit controls on the journey's page", n)
		}
		if strings.Contains(b.text(`main`), "Outbox") {
			t.Fatal("a viewer sees the outbox (personal data)")
		}
		b.shotCanvas("journey-viewer")
		for _, path := range []string{"/journeys/" + jid + "/edit", "/journeys/new", "/messaging", "/messages"} {
			b.open(s.url+path, `.error-page`)
			b.expect(`.error-page`, "403")
		}
		var got string
		b.eval(`(async () => {
			const csrf = document.querySelector('meta[name=csrf-token]').content;
			const h = {'X-CSRF-Token': csrf, 'Content-Type': 'application/json'};
			const a = await fetch('/api/v1/journeys/welcome-webhook', {method: 'PUT', headers: h, body: '{"name":"x","entry":{"type":"api","next":"x"},"nodes":[{"id":"x","type":"exit"}]}'});
			const b = await fetch('/api/v1/journeys/welcome-webhook/stop', {method: 'POST', headers: h});
			const c = await fetch('/api/v1/journeys/welcome-webhook/publish', {method: 'POST', headers: h});
			const d = await fetch('/api/v1/journeys/welcome-webhook/stats');
			return [a.status, b.status, c.status, d.status].join(' ');
		})()`, &got)
		if got != "403 403 403 200" {
			t.Fatalf("a viewer's journey calls answered %q, want 403 403 403 200", got)
		}
		b.check()
	})

	j, err := c.Journey(ctx, jid)
	if err != nil || j.Status != touchpoint.JourneyLive || j.Draft.Name != "Welcome webhook" {
		t.Fatalf("after the viewer: %+v %v", j, err)
	}
	s.stop()
}
