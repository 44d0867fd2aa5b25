package survey_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/survey"
)

func TestChangedScoreDropsFollowUp(t *testing.T) {
	ctx := context.Background()
	svc, b := setup(t)
	inv, err := svc.Invite(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: b.sv.ID, Customer: "user_id:u9", Delivery: touchpoint.DeliveryLink})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Answer(ctx, inv.Token, []touchpoint.Answer{{QuestionID: "score", Score: score(2)}}, ""); err != nil {
		t.Fatal(err)
	}
	ss, err := svc.Answer(ctx, inv.Token, []touchpoint.Answer{{QuestionID: "score", Score: score(9)}}, "")
	if err != nil || ss.Next == nil || ss.Next.ID != "reason" || *ss.Response.Score != 9 || ss.Response.Revision != 2 {
		t.Fatalf("%v %+v", err, ss)
	}
}

func TestPage(t *testing.T) {
	ctx := context.Background()
	svc, b := setup(t)
	b.sv.Title = `<script>alert("t")</script>`
	b.sv.Questions[1].Text = `<img src=x onerror=alert(1)>`
	b.sv.Translations = map[string]touchpoint.Translation{"fa": {Questions: map[string]touchpoint.QuestionTranslation{
		"why_low": {Text: "چه چیزی اشتباه بود؟", Choices: map[string]string{"late": "دیر رسید", "damaged": "آسیب دیده بود"}}}}}
	if err := b.db.UpdateSurvey(ctx, b.sv); err != nil {
		t.Fatal(err)
	}
	inv, err := svc.Invite(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: b.sv.ID, Customer: "user_id:p1", Delivery: touchpoint.DeliveryLink, Language: "fa"})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Invitation.Language != "fa" {
		t.Fatalf("language %s", inv.Invitation.Language)
	}
	ss, err := svc.Answer(ctx, inv.Token, []touchpoint.Answer{{QuestionID: "score", Score: score(3)}}, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := survey.QuestionPage(ss, "fa", "/s/"+inv.Token)
	if err != nil {
		t.Fatal(err)
	}
	p.Nonce = "n0nce"
	var buf bytes.Buffer
	if err := survey.RenderPage(&buf, p); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`<html lang="fa" dir="rtl">`, "چه چیزی اشتباه بود؟", `value="late"`, "دیر رسید", `nonce="n0nce"`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>alert", "<img src=x"} {
		if strings.Contains(html, bad) {
			t.Errorf("page carries unescaped %q", bad)
		}
	}
	t.Run("English", func(t *testing.T) {
		p, _ := survey.QuestionPage(ss, "en", "/s/x")
		var buf bytes.Buffer
		survey.RenderPage(&buf, p)
		if !strings.Contains(buf.String(), `dir="ltr"`) || !strings.Contains(buf.String(), "&lt;img src=x onerror=alert(1)&gt;") || !strings.Contains(buf.String(), "Question 2 of 2") {
			t.Fatalf("%s", buf.String())
		}
	})
}

func TestEmailBlock(t *testing.T) {
	sv := &touchpoint.Survey{ID: "srv_1", Name: "NPS", Type: touchpoint.SurveyNPS}
	sv.Normalize()
	html, err := survey.EmailBlock(sv, "en", "https://tp.example/s/inv_1.sig")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(html, `href="https://tp.example/s/inv_1.sig?a=`); n != 11 {
		t.Fatalf("%d score links:\n%s", n, html)
	}
	if !strings.Contains(html, "a=10&amp;lang=en&amp;q=score") || !strings.Contains(html, "How likely are you to recommend us") || !strings.Contains(html, "Extremely likely") {
		t.Fatalf("%s", html)
	}
	fa, err := survey.EmailBlock(sv, "fa", "https://tp.example/s/inv_1.sig")
	if err != nil || !strings.Contains(fa, `dir="rtl"`) || !strings.Contains(fa, "توصیه") {
		t.Fatalf("%v %s", err, fa)
	}
	choice := &touchpoint.Survey{ID: "srv_2", Name: "Why", Questions: []touchpoint.Question{{ID: "why", Type: touchpoint.QuestionSingleChoice, Text: `Why "us"?`,
		Choices: []touchpoint.Choice{{ID: "price", Text: "<b>Price</b>"}, {ID: "speed", Text: "Speed"}}}}}
	choice.Normalize()
	html, err = survey.EmailBlock(choice, "en", "https://tp.example/s/t")
	if err != nil || strings.Count(html, "?a=") != 2 || strings.Contains(html, "<b>Price") || !strings.Contains(html, "&lt;b&gt;Price") {
		t.Fatalf("%v %s", err, html)
	}
}

func TestInviteByEmail(t *testing.T) {
	ctx := context.Background()
	svc, b := setup(t)
	if _, err := svc.InviteByEmail(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: b.sv.ID, Customer: "user_id:e1"}, ""); touchpoint.ErrorField(err) != "public_url" {
		t.Fatalf("no base URL: %v", err)
	}
	svc.BaseURL = "https://cx.example.com/"
	inv, err := svc.InviteByEmail(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: b.sv.ID, Customer: "user_id:e1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if inv.Invitation.Delivery != touchpoint.DeliveryEmail || inv.URL != "https://cx.example.com/s/"+inv.Token ||
		!strings.Contains(inv.HTML, `href="https://cx.example.com/s/`+inv.Token+`?a=0&amp;lang=en&amp;q=score"`) {
		t.Fatalf("%+v\n%s", inv, inv.HTML)
	}
}
