package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/inspector"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
	"github.com/touchpoint-cx/touchpoint/web"
)

// browser drives a real headless Chromium. It fails the test on any script
// error, any content-security-policy violation and any alert dialog (which
// only an injected script would open); confirm dialogs are accepted.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string

	mu       sync.Mutex
	problems []string
}

// chromiumPath finds Chromium: $CHROMIUM, else Debian's /usr/bin/chromium.
// .ci/run installs it; a developer without it gets a skip that says so.
func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found: .ci/run installs Debian's chromium package")
	}
	t.Skip("chromium not found (apt-get install chromium, or set $CHROMIUM)")
	return ""
}

// browserAllocator starts headless Chromium for a test and stops it, and
// removes its profile directory, when the test ends.
func browserAllocator(t *testing.T, exe string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	// Chromium's helper processes may still write to the profile directory
	// for a moment after the browser is stopped, so it is not a t.TempDir
	// (whose removal fails the test) but a directory removed with retries.
	profile, err := os.MkdirTemp("", "touchpoint-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove %s", profile)
	})
	// Without the background-networking flags Chromium keeps trying to
	// reach Google's services and stalls on a closed network. Shared
	// memory goes to the temp directory: containers often have a /dev/shm
	// of 64 MB, too small for a page's canvases, which crashes the page.
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-default-apps", true),
		chromedp.UserDataDir(profile),
	}, extra...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	return actx
}

// newBrowser starts a browser for a test; extra options go to Chromium.
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	exe := chromiumPath(t)
	// Screenshots go to $TOUCHPOINT_SCREENSHOTS, or under the test's temp dir.
	shots := os.Getenv("TOUCHPOINT_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(t.TempDir(), "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	actx := browserAllocator(t, exe, append([]chromedp.ExecAllocatorOption{chromedp.WindowSize(1366, 900)}, extra...)...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx() })
	b := &browser{t: t, ctx: ctx, shots: shots}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.problem("script error: " + e.ExceptionDetails.Error())
		case *cdplog.EventEntryAdded:
			if strings.Contains(e.Entry.Text, "Content Security Policy") || e.Entry.Level == cdplog.LevelError && !strings.Contains(e.Entry.Text, "status of 40") {
				b.problem("console: " + e.Entry.Text)
			}
		case *inspector.EventTargetCrashed:
			b.problem("the page's renderer crashed")
		case *page.EventJavascriptDialogOpening:
			if e.Type != page.DialogTypeConfirm {
				b.problem(fmt.Sprintf("a %s dialog opened: %q", e.Type, e.Message))
			}
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
		}
	})
	// Charts are drawn without animation when the user prefers less
	// motion, so screenshots show them whole.
	// The first run starts the browser, which lives as long as the
	// context of that run: the test's, not one step's.
	if err := chromedp.Run(ctx, cdplog.Enable(), emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}})); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	return b
}

func (b *browser) problem(s string) {
	b.mu.Lock()
	b.problems = append(b.problems, s)
	b.mu.Unlock()
}

// check fails the test if the pages so far had a script error, a CSP
// violation or an unexpected dialog.
func (b *browser) check() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) > 0 {
		b.t.Fatalf("browser problems:\n%s", strings.Join(b.problems, "\n"))
	}
}

// run runs actions, failing the test if they take more than 30 seconds
// (a wait for something that never shows). The failure names the action
// that did not finish and what the page showed at that moment.
func (b *browser) run(actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	for i, a := range actions {
		if err := chromedp.Run(ctx, a); err != nil {
			b.t.Fatalf("action %d of %d (%T): %v\n%s", i+1, len(actions), a, err, b.state())
		}
	}
}

// state describes the page for a failure message: its address, whether
// it finished loading, what has the focus and the start of its text. It
// also saves a screenshot named after the test.
func (b *browser) state() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	var s string
	err := chromedp.Run(ctx, chromedp.Evaluate(`(() => {
		const m = (document.querySelector('main') || document.body || document.documentElement).cloneNode(true);
		m.querySelectorAll('select, script, style, template, datalist').forEach(e => e.remove());
		const focus = document.activeElement ? document.activeElement.outerHTML.replace(/>[^]*/, '>').slice(0, 200) : '';
		return [location.href, document.readyState, 'focus: ' + focus, m.textContent.replace(/\s+/g, ' ').slice(0, 1500)].join('\n');
	})()`, &s))
	b.mu.Lock()
	if len(b.problems) > 0 {
		s += "\nproblems: " + strings.Join(b.problems, "; ")
	}
	b.mu.Unlock()
	if err != nil {
		return "page state unavailable: " + err.Error() + s
	}
	var png []byte
	if chromedp.Run(ctx, chromedp.CaptureScreenshot(&png)) == nil {
		name := "failed-" + strings.NewReplacer("/", "-", " ", "_").Replace(b.t.Name()) + ".png"
		if os.WriteFile(filepath.Join(b.shots, name), png, 0o644) == nil {
			s += "\nscreenshot: " + filepath.Join(b.shots, name)
		}
	}
	return "page: " + s
}

// open loads a page and waits for sel.
func (b *browser) open(url, sel string) {
	b.t.Helper()
	b.run(chromedp.Navigate(url), chromedp.WaitVisible(sel, chromedp.ByQuery))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	var s string
	b.run(chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

// eval runs JavaScript in the page, awaiting a promise if it returns one.
func (b *browser) eval(js string, out any) {
	b.t.Helper()
	b.run(chromedp.Evaluate(js, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
}

// shot saves the page at laptop and phone widths, whole.
func (b *browser) shot(name string) {
	b.t.Helper()
	for _, size := range []struct {
		name string
		w, h int64
	}{{"laptop", 1366, 900}, {"phone", 390, 844}} {
		var png []byte
		b.run(chromedp.EmulateViewport(size.w, size.h), chromedp.Evaluate(`window.scrollTo(0, 0)`, nil), chromedp.Sleep(300), chromedp.FullScreenshot(&png, 100))
		if err := os.WriteFile(filepath.Join(b.shots, name+"-"+size.name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.run(chromedp.EmulateViewport(1366, 900))
}

// expect fails unless the text of sel contains every want.
func (b *browser) expect(sel string, want ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Fatalf("%s does not show %q; it shows:\n%.2000s", sel, w, got)
		}
	}
}

const xss = `<script>alert(1)</script>`

// setValue sets a form field's value as a script would.
func setValue(sel, v string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).value = %q`, sel, v), nil)
}

// TestDashboard signs in to the real binary's dashboard in headless
// Chromium, opens every page, checks what it shows and saves screenshots;
// checks that untrusted data stays text, that a viewer is kept out of
// admin pages and API routes, and that the install snippet on a web page
// sends page, track and identify calls that arrive as one profile.
func TestDashboard(t *testing.T) {
	dir, keys := initDir(t)
	if keys.AdminEmail != DefaultAdminEmail || len(keys.AdminPassword) < 20 {
		t.Fatalf("init printed no usable login: %+v", keys)
	}
	s := start(t, dir, keys)
	wk := keys.WriteKey
	ctx := context.Background()

	// Data to look at: two customers on three channels, one of them with a
	// script in a property and a trait, and one rejected call.
	for i, body := range []string{
		`{"type":"identify","userId":"ana","anonymousId":"a-1","traits":{"email":"ana@example.com","name":"Ana Lima","plan":"pro"}}`,
		`{"type":"page","anonymousId":"a-1","name":"Pricing","properties":{"path":"/pricing"}}`,
		`{"type":"track","userId":"ana","event":"Order Completed","properties":{"revenue":42.5,"order_id":"o-1"},"context":{"channel":"store"}}`,
		`{"type":"track","userId":"ana","event":"Email Opened","context":{"channel":"email"}}`,
		`{"type":"identify","userId":"mallory","traits":{"name":"<img src=x onerror=alert(2)>","email":"m@example.com"}}`,
		`{"type":"track","userId":"mallory","event":"Comment Posted","properties":{"comment":"` + xss + `"}}`,
		// Two profiles that a third call merges.
		`{"type":"identify","anonymousId":"m-1","traits":{"email":"bo@example.com"}}`,
		`{"type":"identify","userId":"bo","traits":{"name":"Bo Berg"}}`,
		`{"type":"track","userId":"bo","anonymousId":"m-1","event":"Signed In"}`,
	} {
		if code, resp := s.post("/v1/batch", wk, `{"batch":[`+strings.Replace(body, "{", fmt.Sprintf(`{"messageId":"seed-%d",`, i), 1)+`]}`); code != 200 {
			t.Fatalf("seed %d: %d %s", i, code, resp)
		}
	}
	if code, _ := s.post("/v1/track", wk, `{"userId":"ana","properties":{"x":1}}`); code != 400 {
		t.Fatalf("invalid call answered %d", code)
	}
	s.caughtUp()

	b := newBrowser(t)
	// Each step runs as a subtest; the browser's helpers report to it.
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
		b.open(s.url+"/overview", `input[name=email]`) // sent to sign in first
		b.shot("login")
		b.run(chromedp.SendKeys(`input[name=email]`, keys.AdminEmail, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=password]`, "not the password", chromedp.ByQuery),
			chromedp.Submit(`form`, chromedp.ByQuery), chromedp.WaitVisible(`.alert`, chromedp.ByQuery))
		b.expect(`.alert`, "do not match")
		b.run(chromedp.SendKeys(`input[name=password]`, keys.AdminPassword, chromedp.ByQuery),
			chromedp.Submit(`form`, chromedp.ByQuery), chromedp.WaitVisible(`.sidebar`, chromedp.ByQuery))
		var path string
		b.eval(`location.pathname + location.search`, &path)
		if path != "/overview" {
			t.Fatalf("after sign-in at %s, want /overview (the page asked for)", path)
		}
		var cookie string
		b.eval(`document.cookie`, &cookie)
		if strings.Contains(cookie, web.CookieName) {
			t.Fatal("the session cookie is readable by scripts: it must be HTTP-only")
		}
	})

	step("Overview", func(t *testing.T) {
		b.open(s.url+"/overview", `[data-chart="events_by_day"][data-drawn]`)
		b.run(chromedp.WaitVisible(`[data-chart="by_source"][data-drawn]`, chromedp.ByQuery))
		// Customers are counted through the analytics store's profile_events
		// view, so the figure follows identity resolution into analytics.
		b.expect(`.kpis`, "Events\n9", "Customers", "New customers")
		b.run(chromedp.WaitNotPresent(`//span[@data-live-counter][text()="…"]`))
		b.expect(`[data-live-counter]`, "9")
		b.shot("overview")
		// A period with nothing in it says so and what to do.
		b.open(s.url+"/overview?from=2020-01-01&to=2020-01-31", `.empty`)
		b.expect(`.empty`, "No events in this period", "Set up a source")
		b.check()
	})

	step("EventStream", func(t *testing.T) {
		b.open(s.url+"/events", `.stream-list li.rejected`)
		b.expect(`.stream-list`, "event: required")
		b.run(chromedp.Click(`.stream-list li.rejected`, chromedp.ByQuery), chromedp.WaitVisible(`.debugger`, chromedp.ByQuery))
		b.expect(`.debugger`, "Rejected", "event: required", `"userId": "ana"`)
		b.expect(`#stored`, "Order Completed", "Comment Posted", xss)
		b.shot("events")
		b.check()
	})

	step("Profiles", func(t *testing.T) {
		b.open(s.url+"/profiles", `table.data`)
		b.expect(`#results`, "Recently active customers", "Ana Lima")
		b.run(chromedp.SendKeys(`input[name=q]`, "ana@exa", chromedp.ByQuery),
			chromedp.WaitVisible(`//h2[contains(., "1 match")]`))
		b.shot("profiles")
		b.run(chromedp.Click(`//a[contains(., "Ana Lima")]`), chromedp.WaitVisible(`.timeline`, chromedp.ByQuery))
		b.expect(`main`, "Ana Lima", "plan", "pro", "anonymous_id", "a-1", "Order Completed", "Viewed page Pricing", "store", "email", "42.50")
		b.shot("profile")
		b.check()
	})

	step("Unmerge", func(t *testing.T) {
		b.open(s.url+"/profiles/user_id:bo", `.merges`)
		b.expect(`.merges`, "Merged", "anonymous_id: m-1")
		b.shot("profile-merged")
		b.run(chromedp.Click(`//button[contains(., "Unmerge")]`), chromedp.WaitVisible(`.merges li.undone`, chromedp.ByQuery))
		b.expect(`.merges`, "Undone", "by user:"+keys.AdminEmail)
		p, err := s.client().Profile(ctx, "user_id:bo")
		if err != nil {
			t.Fatal(err)
		}
		if ms, err := s.client().Merges(ctx, p.ID); err != nil || len(ms) != 1 || ms[0].UndoneAt == nil {
			t.Fatalf("merges after unmerge: %+v, %v", ms, err)
		}
		b.check()
	})

	step("XSS", func(t *testing.T) {
		p, err := s.client().Profile(ctx, "user_id:mallory")
		if err != nil {
			t.Fatal(err)
		}
		b.open(s.url+"/profiles/"+p.ID, `.timeline`)
		b.run(chromedp.Click(`.timeline summary`, chromedp.ByQuery))
		b.expect(`main`, `<img src=x onerror=alert(2)>`, xss)
		var injected int
		b.eval(`document.querySelectorAll('main script, main img').length`, &injected)
		if injected != 0 {
			t.Fatalf("%d script or img elements made from customer data", injected)
		}
		b.shot("profile-xss")
		b.check() // no alert dialog opened, no script error
	})

	var sourceURL string
	step("Sources", func(t *testing.T) {
		b.open(s.url+"/sources", `table.data`)
		b.expect(`table.data`, "Default", wk)
		b.shot("sources")
		b.run(chromedp.SendKeys(`form[data-api] input[name=name]`, "Online shop", chromedp.ByQuery),
			setValue(`form[data-api] select[name=type]`, "web"),
			chromedp.Click(`form[data-api] button`, chromedp.ByQuery), chromedp.WaitVisible(`#snip-web`, chromedp.ByQuery))
		b.eval(`location.pathname`, &sourceURL)
		b.expect(`main`, "Online shop", "Your source is ready", "/tp.js", `a.load("wk_`)
		b.shot("source")
		// Bad input gets its reason in plain words, next to the form.
		b.open(s.url+"/sources", `form[data-api]`)
		b.run(chromedp.SetAttributeValue(`form[data-api] input[name=name]`, "maxlength", "1000", chromedp.ByQuery),
			chromedp.SendKeys(`form[data-api] input[name=name]`, strings.Repeat("x", 201), chromedp.ByQuery),
			chromedp.Click(`form[data-api] button`, chromedp.ByQuery), chromedp.WaitVisible(`.form-error`, chromedp.ByQuery))
		b.expect(`.form-error`, "name: must be at most 200 characters")
		b.check()
	})

	step("Tracker", func(t *testing.T) {
		srcs, err := s.client().Sources(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		var key string
		for _, src := range srcs {
			if "/sources/"+src.ID == sourceURL {
				key = src.WriteKey
			}
		}
		if key == "" {
			t.Fatalf("source %s not listed", sourceURL)
		}
		// A website on another origin carrying the install snippet.
		site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<!doctype html><html><head><title>Shop</title>%s</head><body><h1>Shop</h1>
<button id="buy">Buy</button>
<script>
analytics.identify('shopper-1', {email: 'shopper@example.com', name: 'Sam Shopper'});
document.getElementById('buy').addEventListener('click', function () {
  analytics.track('Buy Clicked', {sku: 'A-1', price: 9.5});
  document.title = 'clicked';
});
</script></body></html>`, web.WebSnippet(s.url, key))
		}))
		defer site.Close()
		b.open(site.URL+"/shop?utm_campaign=autumn", `#buy`)
		b.run(chromedp.WaitReady(`body`), chromedp.Click(`#buy`, chromedp.ByQuery))
		deadline := time.Now().Add(30 * time.Second)
		var events []*touchpoint.Event
		for {
			s.caughtUp()
			events, err = s.client().Timeline(ctx, "user_id:shopper-1", 0)
			if err == nil && len(events) >= 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("tracker calls did not arrive as one profile: %v, %d events", err, len(events))
			}
			time.Sleep(200 * time.Millisecond)
		}
		types := map[touchpoint.EventType]*touchpoint.Event{}
		for _, ev := range events {
			types[ev.Type] = ev
		}
		if types["page"] == nil || types["identify"] == nil || types["track"] == nil {
			t.Fatalf("timeline of shopper-1 has %v, want page, identify and track", events)
		}
		if pg := types["page"]; pg.AnonymousID == "" || pg.Channel != "web" || !strings.Contains(string(pg.Context), `"library":{"name":"touchpoint.js"`) || !strings.Contains(string(pg.Context), `"autumn"`) {
			t.Fatalf("page event: %+v context %s", pg, pg.Context)
		}
		if tr := types["track"]; tr.Event != "Buy Clicked" || tr.UserID != "shopper-1" || tr.AnonymousID != types["page"].AnonymousID {
			t.Fatalf("track event: %+v", tr)
		}
		p, err := s.client().Profile(ctx, "anonymous_id:"+types["page"].AnonymousID)
		if err != nil || p.Traits["email"] == nil {
			t.Fatalf("the anonymous visitor is not the identified shopper: %+v, %v", p, err)
		}
		b.check()
	})

	var invite string
	step("Users", func(t *testing.T) {
		b.open(s.url+"/users", `table.data`)
		b.expect(`main`, keys.AdminEmail, "owner", "Invite someone", "viewer")
		b.run(chromedp.SendKeys(`form[data-api] input[name=email]`, "vera@example.com", chromedp.ByQuery),
			setValue(`form[data-api] select[name=role]`, "viewer"),
			chromedp.Click(`form[data-api] button`, chromedp.ByQuery), chromedp.WaitVisible(`#invite-result`, chromedp.ByQuery))
		invite = b.text(`#invite-url`)
		if !strings.HasPrefix(invite, s.url+"/invite/") {
			t.Fatalf("invitation link %q", invite)
		}
		b.shot("users")
		b.check()
	})

	step("Settings", func(t *testing.T) {
		b.open(s.url+"/settings", `form[data-api]`)
		b.expect(`main`, "Identity merge rules", "Admin keys", "Create admin key", "New workspace")
		var unique string
		b.eval(`document.querySelector('input[name=unique]').value`, &unique)
		if unique != "user_id" {
			t.Fatalf("unique kinds field shows %q", unique)
		}
		b.run(setValue(`input[name=default_region]`, "VN"),
			chromedp.Click(`//button[contains(., "Save merge rules")]`), chromedp.WaitVisible(`//div[contains(@class,"toast")][contains(., "Merge rules saved")]`))
		rules, err := s.client().IdentityRules(ctx)
		if err != nil || rules.DefaultRegion != "VN" {
			t.Fatalf("rules after saving: %+v, %v", rules, err)
		}
		b.shot("settings")
		// A new workspace: its creator owns it and switches to it.
		b.run(chromedp.SendKeys(`//form[@data-api="POST /api/v1/workspaces"]//input[@name="id"]`, "brand-b"),
			chromedp.SendKeys(`//form[@data-api="POST /api/v1/workspaces"]//input[@name="name"]`, "Brand B"),
			chromedp.Click(`//button[contains(., "Create workspace")]`),
			chromedp.WaitReady(`//select[@id="ws-select"]/option[@value="brand-b"]`))
		b.run(setValue(`#ws-select`, "brand-b"), chromedp.Evaluate(`document.querySelector('#ws-select').form.submit()`, nil),
			chromedp.WaitVisible(`//p[contains(., "Workspace brand-b")]`))
		b.open(s.url+"/overview", `.empty`)
		b.expect(`.empty`, "No events in this period")
		b.expect(`.nav-user`, "owner · Brand B")
		b.run(setValue(`#ws-select`, "default"), chromedp.Evaluate(`document.querySelector('#ws-select').form.submit()`, nil),
			chromedp.WaitVisible(`//span[@data-live-counter][text()!="…"]`))
		b.expect(`.nav-user`, "owner · Default")
		b.open(s.url+"/account", `input[name=current_password]`)
		b.shot("account")
		b.check()
	})

	step("ViewerIsKeptOut", func(t *testing.T) {
		b.run(chromedp.Click(`//button[contains(., "Sign out")]`), chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery))
		b.open(invite, `input[name=confirm_password]`)
		b.expect(`main`, "Join Default", "viewer", "vera@example.com")
		b.shot("invite")
		b.run(chromedp.SendKeys(`input[name=name]`, "Vera Viewer", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=password]`, "viewer password 1", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=confirm_password]`, "viewer password 1", chromedp.ByQuery),
			chromedp.Submit(`form`, chromedp.ByQuery), chromedp.WaitVisible(`.sidebar`, chromedp.ByQuery))
		nav := b.text(`.sidebar`)
		if !strings.Contains(nav, "Overview") || strings.Contains(nav, "Sources") || strings.Contains(nav, "Settings") || strings.Contains(nav, "Profiles") {
			t.Fatalf("a viewer's navigation shows:\n%s", nav)
		}
		for _, path := range []string{"/settings", "/sources", "/users", "/profiles", "/events"} {
			b.open(s.url+path, `.error-page`)
			b.expect(`.error-page`, "403", "your role (viewer) does not allow")
		}
		b.shot("forbidden")
		// The API answers the viewer's session with 403 too, and refuses a
		// change without the CSRF token before looking at the role.
		var got string
		b.eval(`(async () => {
			const csrf = document.querySelector('meta[name=csrf-token]').content;
			const a = await fetch('/api/v1/sources');
			const b = await fetch('/api/v1/sources', {method: 'POST', headers: {'X-CSRF-Token': csrf, 'Content-Type': 'application/json'}, body: '{"name":"x","type":"web"}'});
			const c = await fetch('/api/v1/workspace', {method: 'PUT', headers: {'Content-Type': 'application/json'}, body: '{"name":"hacked"}'});
			const d = await fetch('/api/v1/stats');
			return [a.status, b.status, c.status, d.status, (await c.json()).error.message].join(' ');
		})()`, &got)
		if !strings.HasPrefix(got, "403 403 403 200 ") || !strings.Contains(got, "CSRF") {
			t.Fatalf("viewer's API calls answered %q, want 403 403 403 200 and a CSRF message", got)
		}
		b.check()
	})

	// The admin key keeps working beside sessions.
	if users, err := s.client().Users(ctx); err != nil || len(users) != 2 {
		t.Fatalf("users by admin key: %v, %v", users, err)
	}
	s.stop()
}

// TestSessionAPI covers the session path of the admin API without a
// browser: sign in with a form post, call the API with the cookie, and be
// refused without the CSRF token or after signing out.
func TestSessionAPI(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	ctx := context.Background()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	login := func(email, pw string) (*http.Response, string) {
		resp, err := c.PostForm(s.url+"/login", map[string][]string{"email": {email}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, ck := range resp.Cookies() {
			if ck.Name == web.CookieName {
				return resp, ck.Value
			}
		}
		return resp, ""
	}
	t.Run("Throttled", func(t *testing.T) {
		var last int
		for i := 0; i < 6; i++ {
			resp, _ := login("nobody@example.com", "wrong password")
			last = resp.StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("6th failed sign-in answered %d, want 429", last)
		}
	})
	resp, token := login(keys.AdminEmail, keys.AdminPassword)
	if resp.StatusCode != http.StatusSeeOther || token == "" {
		t.Fatalf("sign-in answered %d, cookie %q", resp.StatusCode, token)
	}
	call := func(method, path, csrf string) int {
		req, _ := http.NewRequest(method, s.url+path, strings.NewReader(`{"name":"Renamed"}`))
		req.AddCookie(&http.Cookie{Name: web.CookieName, Value: token})
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := call("GET", "/api/v1/stats", ""); code != 200 {
		t.Fatalf("stats with a session: %d", code)
	}
	if code := call("PUT", "/api/v1/workspace", ""); code != 403 {
		t.Fatalf("change without CSRF token: %d", code)
	}
	if code := call("PUT", "/api/v1/workspace", "wrong"); code != 403 {
		t.Fatalf("change with a wrong CSRF token: %d", code)
	}
	// The CSRF token is in the page's meta tag.
	req, _ := http.NewRequest("GET", s.url+"/account", nil)
	req.AddCookie(&http.Cookie{Name: web.CookieName, Value: token})
	pg, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	buf := make([]byte, 64<<10)
	for {
		n, err := pg.Body.Read(buf)
		body.Write(buf[:n])
		if err != nil {
			break
		}
	}
	pg.Body.Close()
	if h := pg.Header.Get("Content-Security-Policy"); !strings.Contains(h, "script-src 'self'") || strings.Contains(h, "unsafe-inline") {
		t.Fatalf("content security policy %q", h)
	}
	_, rest, _ := strings.Cut(body.String(), `name="csrf-token" content="`)
	csrf, _, _ := strings.Cut(rest, `"`)
	if code := call("PUT", "/api/v1/workspace", csrf); code != 200 {
		t.Fatalf("change with the CSRF token: %d", code)
	}
	if ws, _ := s.client().Workspaces(ctx); len(ws) != 1 || ws[0].Name != "Renamed" {
		t.Fatalf("workspace after rename: %+v", ws)
	}
	// Changing the password needs the current one and ends the other
	// sessions, not this one.
	_, other := login(keys.AdminEmail, keys.AdminPassword)
	change := func(current string) int {
		form := url.Values{"csrf_token": {csrf}, "current_password": {current}, "new_password": {"a new long password"}, "confirm_password": {"a new long password"}}
		req, _ := http.NewRequest("POST", s.url+"/account/password", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: web.CookieName, Value: token})
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := change("not my password"); code != http.StatusUnauthorized {
		t.Fatalf("password change with a wrong current password: %d", code)
	}
	if code := change(keys.AdminPassword); code != http.StatusSeeOther {
		t.Fatalf("password change: %d", code)
	}
	if code := call("GET", "/api/v1/stats", ""); code != 200 {
		t.Fatalf("the session that changed the password: %d", code)
	}
	token, other = other, token
	if code := call("GET", "/api/v1/stats", ""); code != 401 {
		t.Fatalf("another session after the password changed: %d", code)
	}
	token = other
	if resp, tok := login(keys.AdminEmail, "a new long password"); resp.StatusCode != http.StatusSeeOther || tok == "" {
		t.Fatalf("sign-in with the new password: %d", resp.StatusCode)
	}

	// Sign out: the cookie stops working.
	form := strings.NewReader("csrf_token=" + csrf)
	req, _ = http.NewRequest("POST", s.url+"/logout", form)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: web.CookieName, Value: token})
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %v %v", resp, err)
	}
	if code := call("GET", "/api/v1/stats", ""); code != 401 {
		t.Fatalf("stats after signing out: %d", code)
	}
	// A workspace made with an admin key comes with its own admin key.
	created, err := s.client().CreateWorkspace(ctx, "brand-b", "Brand B")
	if err != nil || created.AdminKey == "" {
		t.Fatalf("create workspace: %+v, %v", created, err)
	}
	if st, err := httpapi.NewClient(s.url, created.AdminKey).Stats(ctx); err != nil || st.EventsTotal != 0 {
		t.Fatalf("stats of the new workspace: %+v, %v", st, err)
	}
	s.stop()
}
