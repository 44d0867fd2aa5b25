package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

// TestSurveyWidgetInBrowser loads the widget in real headless Chromium on
// a shop's page served from another origin: the survey shows after the
// page's "Order Completed" event and the delay, is answered with real
// clicks and keystrokes, and the answer moves NPS. A visitor on a page
// the rules do not match sees nothing, and a Persian visitor gets the
// survey right to left.
func TestSurveyWidgetInBrowser(t *testing.T) {
	exe := chromiumPath(t)
	ctx := context.Background()
	dir, keys := initDir(t)
	s := start(t, dir, keys)
	c := s.client()
	if err := c.SetSurveySettings(ctx, touchpoint.SurveySettings{CooldownDays: 30}); err != nil {
		t.Fatal(err)
	}
	sv, err := c.CreateSurvey(ctx, &touchpoint.Survey{Name: "Checkout NPS", Type: touchpoint.SurveyNPS, Status: touchpoint.SurveyActive,
		Touchpoint: "checkout", Widget: &touchpoint.WidgetRules{Enabled: true, URLs: []string{"http://127.0.0.1:*/checkout*"},
			Event: "Order Completed", DelaySeconds: 1, SamplePercent: 100}})
	if err != nil {
		t.Fatal(err)
	}

	// The shop: another origin, which queues its event before the widget
	// loads, as a page does when the order confirmation renders first.
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := r.URL.Query().Get("lang")
		fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body>
<h1>Thank you for your order</h1>
<script>window.Touchpoint = window.Touchpoint || []; Touchpoint.push(["track", "Order Completed"]);</script>
<script async src="%s/survey/v1/widget.js" data-write-key="%s" data-lang="%s"></script>
</body></html>`, s.url, keys.WriteKey, lang)
	}))
	defer shop.Close()

	alloc := browserAllocator(t, exe)
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	tctx, cancel := context.WithTimeout(browser, 90*time.Second)
	defer cancel()

	const host = `document.querySelector("#touchpoint-survey")`
	const root = host + `.shadowRoot`
	var anon string
	var dir0, thanks string
	err = chromedp.Run(tctx,
		chromedp.Navigate(shop.URL+"/checkout/done"),
		chromedp.Poll(host+` !== null`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(root+`.querySelector(".box").getAttribute("dir")`, &dir0),
		chromedp.Click(root+`.querySelector('button[data-score="10"]')`, chromedp.ByJSPath),
		chromedp.Poll(root+`.querySelector("textarea") !== null`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.SendKeys(root+`.querySelector("textarea")`, "Checkout was quick & <easy>", chromedp.ByJSPath),
		chromedp.Click(root+`.querySelector("button.primary")`, chromedp.ByJSPath),
		chromedp.Poll(root+`.querySelector(".thanks") !== null`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(root+`.querySelector(".thanks").textContent`, &thanks),
		chromedp.Evaluate(`localStorage.getItem("tp_anonymous_id")`, &anon),
	)
	if err != nil {
		t.Fatalf("widget: %v\n%s", err, s.stderr.String())
	}
	if dir0 != "ltr" || thanks != "Thank you for your feedback!" || anon == "" {
		t.Fatalf("dir %q, thanks %q, anonymous id %q", dir0, thanks, anon)
	}

	s.caughtUp()
	nps, err := c.NPS(ctx, nil)
	if err != nil || nps.Responses != 1 || nps.Promoters != 1 {
		t.Fatalf("NPS after the widget answer: %+v, %v", nps, err)
	}
	items, err := c.Feedback(ctx, nil)
	if err != nil || len(items) != 1 || items[0].Channel != touchpoint.ChannelWeb || items[0].AnonymousID != anon ||
		items[0].Text != "Checkout was quick & <easy>" || items[0].Touchpoint != "checkout" || items[0].SurveyID != sv.ID {
		t.Fatalf("feedback %+v, %v", items, err)
	}

	t.Run("ShownOncePerVisitor", func(t *testing.T) {
		var status map[string]any
		err := chromedp.Run(tctx,
			chromedp.Navigate(shop.URL+"/checkout/done"),
			chromedp.Poll(`window.Touchpoint && Touchpoint.status && Touchpoint.status().loaded`, nil, chromedp.WithPollingTimeout(30*time.Second)),
			chromedp.Evaluate(`Touchpoint.status()`, &status),
		)
		if err != nil || len(status["surveys"].([]any)) != 0 {
			t.Fatalf("after answering: %v, %v", status, err)
		}
	})
	t.Run("OtherPageNothing", func(t *testing.T) {
		var status map[string]any
		err := chromedp.Run(tctx,
			chromedp.Evaluate(`localStorage.clear()`, nil),
			chromedp.Navigate(shop.URL+"/about"),
			chromedp.Poll(`window.Touchpoint && Touchpoint.status && Touchpoint.status().loaded`, nil, chromedp.WithPollingTimeout(30*time.Second)),
			chromedp.Evaluate(`Touchpoint.status()`, &status),
		)
		if err != nil || len(status["surveys"].([]any)) != 0 {
			t.Fatalf("on /about: %v, %v", status, err)
		}
	})
	t.Run("PersianRightToLeft", func(t *testing.T) {
		var dir, lang, text string
		err := chromedp.Run(tctx,
			chromedp.Evaluate(`localStorage.clear()`, nil),
			chromedp.Navigate(shop.URL+"/checkout/done?lang=fa"),
			chromedp.Poll(host+` !== null`, nil, chromedp.WithPollingTimeout(30*time.Second)),
			chromedp.Evaluate(root+`.querySelector(".box").getAttribute("dir")`, &dir),
			chromedp.Evaluate(root+`.querySelector(".box").getAttribute("lang")`, &lang),
			chromedp.Evaluate(root+`.querySelector(".q").textContent`, &text),
		)
		if err != nil || dir != "rtl" || lang != "fa" || !strings.Contains(text, "توصیه") {
			t.Fatalf("Persian widget: dir %q lang %q text %q, %v", dir, lang, text, err)
		}
	})
	t.Run("EmailOneClick", func(t *testing.T) {
		if code, out := s.post("/v1/identify", keys.WriteKey, `{"userId":"mail-1","traits":{"email":"kim@example.com"}}`); code != 200 {
			t.Fatalf("%d %s", code, out)
		}
		s.caughtUp()
		inv, err := c.InviteToSurvey(ctx, sv.ID, httpapi.InviteRequest{Customer: "user_id:mail-1", Delivery: touchpoint.DeliveryEmail})
		if err != nil {
			t.Fatal(err)
		}
		// The browser follows the email's link for 3: the page submits it
		// by itself (its script runs under the page's CSP nonce) and shows
		// the follow-up question.
		var q string
		err = chromedp.Run(tctx,
			chromedp.Navigate(inv.URL+"?a=3&lang=en&q=score"),
			chromedp.WaitVisible(`textarea[name="text"]`, chromedp.ByQuery),
			chromedp.Text("#qtext", &q, chromedp.ByQuery),
		)
		if err != nil || q != "What is the main reason for your score?" {
			t.Fatalf("one click: %q, %v", q, err)
		}
		responses, err := c.SurveyResponses(ctx, sv.ID)
		if err != nil || len(responses) != 2 || responses[0].Score == nil || *responses[0].Score != 3 || responses[0].Complete || responses[0].Channel != touchpoint.ChannelEmail {
			t.Fatalf("responses %+v, %v", responses, err)
		}
	})
	s.stop()
}
