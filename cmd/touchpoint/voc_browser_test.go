package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

// previews reads the builder's preview iframes through DevTools. The
// test's Chromium keeps sandboxed frames in the page's process (by default
// it gives them one of their own, whose documents DevTools reaches only
// through a separate target), which changes nothing the page can do.
type previews struct{ b *browser }

// read returns the frame's <html dir> and the text of sel. The frame is
// reloaded on every change, so it is looked up afresh each time.
func (p *previews) read(name, sel string) (dir, text string, err error) {
	ctx, cancel := context.WithTimeout(p.b.ctx, 3*time.Second)
	defer cancel()
	var nodes []*cdp.Node
	if err := chromedp.Run(ctx, chromedp.Nodes(`iframe[name="`+name+`"]`, &nodes, chromedp.ByQuery)); err != nil {
		return "", "", err
	}
	if nodes[0].ContentDocument == nil {
		return "", "", fmt.Errorf("iframe %s has no document", name)
	}
	var ok bool
	err = chromedp.Run(ctx, chromedp.AttributeValue(`html`, "dir", &dir, &ok, chromedp.ByQuery, chromedp.FromNode(nodes[0])),
		chromedp.Text(sel, &text, chromedp.ByQuery, chromedp.FromNode(nodes[0])))
	return dir, text, err
}

// wait waits until the preview iframe shows want in sel (and, if wantDir
// is set, is written in that direction).
func (p *previews) wait(name, sel, want, wantDir string) {
	p.b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var dir, text string
	var err error
	for time.Now().Before(deadline) {
		dir, text, err = p.read(name, sel)
		if err == nil && strings.Contains(text, want) && (wantDir == "" || dir == wantDir) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	var status string
	chromedp.Run(p.b.ctx, chromedp.Text(`[data-preview-status]`, &status, chromedp.ByQuery))
	p.b.t.Fatalf("preview %s: %s shows %q (dir %q, err %v), want %q (dir %q); status: %s", name, sel, text, dir, err, want, wantDir, status)
}

// shotAt saves what a phone shows with sel scrolled into view. Full-page
// captures leave iframes blank, so the builder's preview is shot this way.
func (b *browser) shotAt(name, sel string) {
	b.t.Helper()
	var png []byte
	b.run(chromedp.EmulateViewport(390, 844), chromedp.Sleep(300),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).scrollIntoView()`, sel), nil),
		chromedp.Sleep(500), chromedp.CaptureScreenshot(&png))
	if err := os.WriteFile(filepath.Join(b.shots, name+"-phone.png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.run(chromedp.EmulateViewport(1366, 900))
}

// click clicks the element matched by an XPath or CSS selector.
func (b *browser) click(sel string) {
	b.t.Helper()
	by := chromedp.ByQuery
	if strings.HasPrefix(sel, "/") {
		by = chromedp.BySearch
	}
	b.run(chromedp.Click(sel, by))
}

// choose sets a select's value and tells the page, as picking it would.
func (b *browser) choose(sel, value string) {
	b.t.Helper()
	b.run(chromedp.Evaluate(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q;
		el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); })()`, sel, value), nil))
}

// TestVoiceOfCustomerPages drives the survey and feedback pages of the
// real binary in headless Chromium: builds an NPS survey by clicking and
// typing while the live preview follows (a Persian translation shown right
// to left), saves it, answers it through a personal link, and finds the
// answer on the results page; sets up an inbound webhook with its test
// preview, delivers a ticket, imports a CSV, filters the inbox by
// sentiment; and checks that a viewer sees results but cannot edit.
func TestVoiceOfCustomerPages(t *testing.T) {
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	ctx := context.Background()
	for i, body := range []string{
		`{"type":"identify","userId":"ana","traits":{"email":"ana@example.com","name":"Ana Lima","plan":"pro"}}`,
		`{"type":"track","userId":"ana","event":"Order Delivered","properties":{"order_id":"o-1"}}`,
	} {
		if code, resp := s.post("/v1/batch", keys.WriteKey, `{"batch":[`+strings.Replace(body, "{", fmt.Sprintf(`{"messageId":"voc-%d",`, i), 1)+`]}`); code != 200 {
			t.Fatalf("seed %d: %d %s", i, code, resp)
		}
	}
	s.caughtUp()

	b := newBrowser(t, chromedp.Flag("disable-features", "IsolateSandboxedIframes"))
	pv := &previews{b: b}
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
	signIn := func(email, password string) {
		b.open(s.url+"/login", `input[name=email]`)
		b.run(chromedp.SendKeys(`input[name=email]`, email, chromedp.ByQuery), chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
			chromedp.Submit(`form`, chromedp.ByQuery), chromedp.WaitVisible(`.sidebar`, chromedp.ByQuery))
	}
	signIn(keys.AdminEmail, keys.AdminPassword)

	const question = "How likely are you to recommend Acme Delivery to a friend?"
	const persian = "چقدر احتمال دارد Acme Delivery را به یک دوست توصیه کنید؟"
	var surveyID string
	step("BuildSurvey", func(t *testing.T) {
		b.open(s.url+"/surveys", `.empty`)
		b.expect(`.empty`, "No surveys yet", "Create a survey")
		b.shot("surveys-empty")
		b.click(`//a[contains(., "Create a survey")]`)
		b.run(chromedp.WaitVisible(`[data-kind="nps"].active`, chromedp.ByQuery))
		// The standard NPS question in its built-in words first.
		pv.wait("pv-page", "p.q", "How likely are you to recommend us", "ltr")
		b.run(chromedp.SendKeys(`input[data-path="name"]`, "Delivery NPS", chromedp.ByQuery),
			chromedp.SendKeys(`input[data-path="questions[0].text"]`, question, chromedp.ByQuery))
		pv.wait("pv-page", "p.q", question, "ltr")

		// A follow-up for detractors, seen by previewing a low score.
		b.click(`[data-add="low"]`)
		b.run(chromedp.WaitVisible(`input[data-path="questions[1].text"]`, chromedp.ByQuery))
		var cond string
		b.eval(`document.querySelector('input[data-path="questions[1].show_if.max"]').value`, &cond)
		if cond != "6" {
			t.Fatalf("the follow-up for low scores asks up to %q, want 6", cond)
		}
		b.choose(`[data-preview-step]`, "a:3")
		pv.wait("pv-page", "p.q", "What could we do better?", "ltr")
		b.choose(`[data-preview-step]`, "a:9")
		pv.wait("pv-page", "p.q", "main reason for your score", "ltr")
		b.choose(`[data-preview-step]`, "")

		// The email block shows the first question with one link per score.
		b.click(`[data-view="email"]`)
		pv.wait("pv-email", "table", question, "ltr")
		b.click(`[data-view="page"]`)

		// Persian: the questions we wrote need a translation, and the
		// builder says which, next to the field.
		b.click(`[data-tab="translations"]`)
		b.choose(`[data-add-lang]`, "fa")
		b.run(chromedp.WaitVisible(`input[data-path="translations.fa.questions.score.text"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`.field-error`, chromedp.ByQuery))
		b.expect(`.field-error`, "missing")
		var dirAttr string
		b.eval(`document.querySelector('input[data-path="translations.fa.questions.score.text"]').dir`, &dirAttr)
		if dirAttr != "rtl" {
			t.Fatalf("the Persian field is written %q, want rtl", dirAttr)
		}
		b.run(chromedp.SendKeys(`input[data-path="translations.fa.questions.score.text"]`, persian, chromedp.ByQuery),
			chromedp.SendKeys(`input[data-path="translations.fa.questions.improve1.text"]`, "چه کاری را بهتر انجام دهیم؟", chromedp.ByQuery))
		pv.wait("pv-page", "p.q", persian, "rtl")
		b.expect(`[data-preview-status]`, "فارسی", "right to left")
		var fieldErrors int
		b.eval(`document.querySelectorAll('.field-error').length`, &fieldErrors)
		if fieldErrors != 0 {
			t.Fatalf("%d field errors left after translating", fieldErrors)
		}
		b.shot("survey-builder-persian")
		b.shotAt("survey-builder-preview", ".builder-preview")
		pv.wait("pv-page", "p.q", persian, "rtl")

		// Delivery: active, recurring every 90 days; then save.
		b.click(`[data-tab="delivery"]`)
		b.choose(`select[data-path="status"]`, "active")
		b.run(chromedp.SendKeys(`input[data-path="recontact.repeat_every_days"]`, "90", chromedp.ByQuery))
		b.expect(`[data-invite-note]`, "Save the survey")
		b.click(`[data-save]`)
		b.run(chromedp.WaitVisible(`//div[contains(@class,"toast")][contains(., "Survey saved")]`))
		var path string
		b.eval(`location.pathname`, &path)
		surveyID = strings.TrimSuffix(strings.TrimPrefix(path, "/surveys/"), "/edit")
		sv, err := s.client().Survey(ctx, surveyID)
		if err != nil {
			t.Fatal(err)
		}
		if sv.Name != "Delivery NPS" || sv.Status != touchpoint.SurveyActive || sv.Type != touchpoint.SurveyNPS || len(sv.Questions) != 3 ||
			sv.Questions[0].Text != question || sv.Translations["fa"].Questions["score"].Text != persian || sv.Recontact.RepeatEveryDays != 90 ||
			sv.Questions[1].ShowIf == nil || *sv.Questions[1].ShowIf.Max != 6 || sv.Questions[2].ID != "reason" {
			t.Fatalf("saved survey: %+v", sv.Survey)
		}
		if strings.Join(sv.Languages, ",") != "en,fa" {
			t.Fatalf("languages %v", sv.Languages)
		}
	})

	var link string
	step("Deliver", func(t *testing.T) {
		b.click(`[data-tab="delivery"]`)
		b.expect(`#widget-snippet`, "/survey/v1/widget.js", `data-write-key="`+keys.WriteKey+`"`)
		b.run(chromedp.Click(`//pre[@id="widget-snippet"]/following-sibling::button[@data-copy]`), chromedp.WaitVisible(`//button[@data-copy="#widget-snippet"][contains(., "Copied")]`))
		// A bad customer reference is refused in the API's words.
		b.run(chromedp.SendKeys(`[data-invite-customer]`, "nobody:x", chromedp.ByQuery), chromedp.Click(`[data-invite]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-invite-error]`, chromedp.ByQuery))
		b.run(setValue(`[data-invite-customer]`, ""), chromedp.SendKeys(`[data-invite-customer]`, "user_id:ana", chromedp.ByQuery),
			chromedp.Click(`[data-invite]`, chromedp.ByQuery), chromedp.WaitVisible(`#personal-link-url`, chromedp.ByQuery))
		link = b.text(`#personal-link-url`)
		if !strings.HasPrefix(link, s.url+"/s/") {
			t.Fatalf("personal link %q", link)
		}
		b.shot("survey-builder-delivery")
		b.check()
	})

	step("Answer", func(t *testing.T) {
		b.open(link, `button[name=score][value="9"]`)
		b.expect(`.q`, question)
		b.shot("survey-page")
		b.run(chromedp.Click(`button[name=score][value="9"]`, chromedp.ByQuery), chromedp.WaitVisible(`textarea[name=text]`, chromedp.ByQuery))
		b.expect(`.q`, "main reason for your score")
		b.run(chromedp.SendKeys(`textarea[name=text]`, "Fast delivery and a friendly driver, thank you!", chromedp.ByQuery),
			chromedp.Click(`button.primary`, chromedp.ByQuery), chromedp.WaitVisible(`.message`, chromedp.ByQuery))
		b.expect(`.message`, "Thank you")
	})

	step("Results", func(t *testing.T) {
		s.caughtUp()
		b.open(s.url+"/surveys/"+surveyID, `[data-chart="distribution"][data-drawn]`)
		b.run(chromedp.WaitVisible(`[data-chart="trend"][data-drawn]`, chromedp.ByQuery))
		b.expect(`.kpis`, "NPS\n100", "1 response", "100% promoters (1)", "Response rate\n100%", "1 of 1 invitations answered")
		b.expect(`.fb-list`, "Fast delivery and a friendly driver", "9 / 10", "positive", "Delivery", "ana")
		b.expect(`.breakdown-card`, "survey", "100")
		b.expect(`.topics`, "Delivery")
		b.shot("survey-results")
		// The breakdown by a customer trait.
		b.choose(`select[name=by]`, "trait")
		b.run(chromedp.SendKeys(`input[name=trait]`, "plan", chromedp.ByQuery), chromedp.Submit(`input[name=trait]`, chromedp.ByQuery),
			chromedp.WaitVisible(`//table//td[normalize-space()="pro"]`))
		// Leaving flagged responses out keeps the clean answer.
		b.click(`[data-flag-toggle]`)
		b.run(chromedp.WaitVisible(`.switch.on`, chromedp.ByQuery))
		b.expect(`.kpis`, "NPS\n100", "left out of every figure")

		b.open(s.url+"/surveys", `table.data`)
		b.expect(`table.data`, "Delivery NPS", "NPS 100", "active")
		b.shot("surveys")
		b.check()
	})

	step("FeedbackSources", func(t *testing.T) {
		b.open(s.url+"/feedback-sources", `#hook-form`)
		// The Zendesk preset maps a sample ticket; the test preview reads it.
		b.run(chromedp.WaitVisible(`//div[@data-hook-preview]//span[contains(@class,"sent-negative")]`))
		b.expect(`[data-hook-preview]`, "Parcel arrived late and damaged", "1 / 5 (csat)", "ana.silva@example.com", "delivery")
		// A path that is not JSON is named next to its field.
		b.run(setValue(`input[name="mapping.email"]`, "ticket..email"),
			chromedp.Evaluate(`document.querySelector('input[name="mapping.email"]').dispatchEvent(new Event('input', {bubbles: true}))`, nil),
			chromedp.WaitVisible(`//input[@name="mapping.email"]/ancestor::label/following-sibling::p[contains(@class,"field-error")]`))
		b.run(setValue(`input[name="mapping.email"]`, "ticket.requester.email"),
			chromedp.Evaluate(`document.querySelector('input[name="mapping.email"]').dispatchEvent(new Event('input', {bubbles: true}))`, nil),
			chromedp.WaitNotPresent(`.field-error`, chromedp.ByQuery))
		b.click(`[data-hook-submit]`)
		b.run(chromedp.WaitVisible(`.created-hook`, chromedp.ByQuery))
		b.expect(`.created-hook`, "zendesk", "/hooks/", "Authorization: Bearer whs_")
		b.run(chromedp.WaitVisible(`//div[@data-hook-preview]//span[contains(@class,"sent-negative")]`))
		b.shot("feedback-sources")

		// The same check over the API: an item without a customer is
		// refused with the reason, and nothing is stored.
		res, err := s.client().TestFeedbackHook(ctx, httpapi.HookTestRequest{HookRequest: httpapi.HookRequest{Name: "desk", Kind: touchpoint.KindTicket,
			Mapping: touchpoint.FeedbackMapping{Each: "tickets", Text: []string{"body"}, Email: "from"}},
			Payload: []byte(`{"tickets":[{"body":"Where is my order?","from":"lee@example.com"},{"body":"No one answers the phone"}]}`)})
		if err != nil || len(res.Items) != 1 || res.Items[0].Email != "lee@example.com" || len(res.Rejected) != 1 || res.Rejected[0].Index != 1 ||
			!strings.Contains(res.Rejected[0].Error.Message, "names no customer") {
			t.Fatalf("hook test: %+v, %v", res, err)
		}

		var url, secret string
		b.eval(`document.querySelector('.hooks-table code[id^="hook-url-"]').textContent`, &url)
		b.eval(`document.querySelector('.hooks-table code[data-secret]').textContent`, &secret)
		ticket := `{"ticket":{"id":77,"subject":"<img src=x onerror=alert(5)> Parcel damaged","description":"The box arrived crushed and the blender is broken. Terrible delivery.",` +
			`"created_at":"` + time.Now().UTC().Add(-time.Minute).Format(time.RFC3339) + `","requester":{"id":9,"email":"ana@example.com"},"satisfaction_rating":{"score":"bad"}}}`
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(ticket))
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("hook call: %d %s", resp.StatusCode, out)
		}

		// A CSV of reviews, its columns picked from the header.
		csvPath := filepath.Join(t.TempDir(), "reviews.csv")
		os.WriteFile(csvPath, []byte("Review ID,Stars,Review,Email\nR-1,5,Lovely blender and quick delivery,lee@example.com\nR-2,2,Broke after a week,kim@example.com\n"), 0o644)
		b.run(chromedp.SetUploadFiles(`#import-form input[type=file]`, []string{csvPath}, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-import-map]`, chromedp.ByQuery))
		var mapped string
		b.eval(`['text','score','email','external_id'].map(k => document.querySelector('#import-form [name="map.' + k + '"]').value).join('|')`, &mapped)
		if mapped != "Review|Stars|Email|Review ID" {
			t.Fatalf("columns guessed as %q", mapped)
		}
		b.click(`[data-import-submit]`)
		b.run(chromedp.WaitVisible(`[data-import-result]`, chromedp.ByQuery))
		b.expect(`[data-import-result]`, "2 rows imported")
		b.check()
	})

	step("Inbox", func(t *testing.T) {
		s.caughtUp()
		b.open(s.url+"/feedback", `.fb-list`)
		b.expect(`#inbox`, "Parcel damaged", "Fast delivery and a friendly driver", "Broke after a week")
		b.choose(`select[name=sentiment]`, "negative")
		b.run(chromedp.WaitNotPresent(`//article[contains(., "Fast delivery and a friendly driver")]`))
		b.expect(`#inbox`, "<img src=x onerror=alert(5)> Parcel damaged", "Ticket · zendesk", "negative")
		var query string
		b.eval(`location.search`, &query)
		if !strings.Contains(query, "sentiment=negative") {
			t.Fatalf("the inbox's address %q does not keep the filter", query)
		}
		var injected int
		b.eval(`document.querySelectorAll('main img, main script').length`, &injected)
		if injected != 0 {
			t.Fatalf("%d elements made from a ticket's subject", injected)
		}
		b.shot("feedback-inbox")
		// The export has every matching item, customers included for roles
		// that may read profiles.
		var csv string
		b.eval(`fetch('/feedback/export.csv' + location.search).then(r => r.text())`, &csv)
		if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 3 || !strings.HasSuffix(strings.TrimSpace(lines[0]), "profile_id,user_id,email") ||
			!strings.Contains(csv, "zendesk") || !strings.Contains(csv, "ana@example.com") || strings.Contains(csv, "Fast delivery") {
			t.Fatalf("CSV export of negative feedback:\n%s", csv)
		}
		// The ticket's customer is Ana: her profile shows it beside her answer.
		b.click(`//article[contains(., "Parcel damaged")]//a[contains(., "ana@example.com")]`)
		b.run(chromedp.WaitVisible(`.profile-feedback`, chromedp.ByQuery))
		b.expect(`.profile-feedback`, "Parcel damaged", "Fast delivery and a friendly driver")
		b.expect(`.kpis`, "Last NPS\n9")
		b.shot("profile-feedback")
		b.open(s.url+"/overview", `.kpis`)
		b.expect(`main`, "Surveys and results", "NPS\n100", "CSAT\n0%")
		b.shot("overview-cx")
		b.check()
	})

	step("ViewerCannotEdit", func(t *testing.T) {
		inv, err := s.client().Invite(ctx, "vic@example.com", touchpoint.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		b.click(`//button[contains(., "Sign out")]`)
		b.run(chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery))
		b.open(inv.URL, `input[name=confirm_password]`)
		b.run(chromedp.SendKeys(`input[name=name]`, "Vic Viewer", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=password]`, "viewer password 1", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=confirm_password]`, "viewer password 1", chromedp.ByQuery),
			chromedp.Submit(`form`, chromedp.ByQuery), chromedp.WaitVisible(`.sidebar`, chromedp.ByQuery))
		nav := b.text(`.sidebar`)
		if !strings.Contains(nav, "Surveys") || !strings.Contains(nav, "Feedback") || strings.Contains(nav, "Feedback sources") {
			t.Fatalf("a viewer's navigation shows:\n%s", nav)
		}
		b.open(s.url+"/surveys", `table.data`)
		var edits int
		b.eval(`document.querySelectorAll('a[href$="/edit"], a[href="/surveys/new"], form[data-api]').length`, &edits)
		if edits != 0 {
			t.Fatalf("a viewer sees %d edit controls on the surveys page", edits)
		}
		b.shot("surveys-viewer")
		b.open(s.url+"/surveys/"+surveyID, `[data-chart="distribution"][data-drawn]`)
		b.expect(`.kpis`, "NPS\n100")
		b.eval(`document.querySelectorAll('a[href$="/edit"]').length`, &edits)
		if edits != 0 {
			t.Fatal("a viewer sees the Edit survey button")
		}
		// No personal data for viewers: customers are not named.
		b.eval(`document.querySelectorAll('.fb-who').length`, &edits)
		if edits != 0 {
			t.Fatal("a viewer sees who gave the feedback")
		}
		for _, path := range []string{"/surveys/new", "/surveys/" + surveyID + "/edit", "/feedback-sources"} {
			b.open(s.url+path, `.error-page`)
			b.expect(`.error-page`, "403", "your role (viewer) does not allow")
		}
		var got string
		b.eval(`(async () => {
			const csrf = document.querySelector('meta[name=csrf-token]').content;
			const h = {'X-CSRF-Token': csrf, 'Content-Type': 'application/json'};
			const a = await fetch('/api/v1/surveys/`+surveyID+`', {method: 'PUT', headers: h, body: '{"name":"Renamed","type":"nps"}'});
			const b = await fetch('/api/v1/surveys/preview', {method: 'POST', headers: h, body: '{"survey":{"name":"x","type":"nps"}}'});
			const c = await fetch('/surveys/`+surveyID+`');
			return [a.status, b.status, c.status].join(' ');
		})()`, &got)
		if got != "403 403 200" {
			t.Fatalf("a viewer's edits answered %q, want 403 403 200", got)
		}
		var csv string
		b.eval(`fetch('/feedback/export.csv').then(r => r.text())`, &csv)
		if !strings.HasPrefix(csv, "id,created_at,") || strings.Contains(csv, "email") || strings.Contains(csv, "ana@example.com") || !strings.Contains(csv, "Parcel damaged") {
			t.Fatalf("a viewer's CSV export:\n%s", csv)
		}
		b.check()
	})
	s.stop()
}
