package survey_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/demo"
	"github.com/touchpoint-cx/touchpoint/sqlite"
	"github.com/touchpoint-cx/touchpoint/statetest"
	"github.com/touchpoint-cx/touchpoint/survey"
)

// recorder is a working event log for tests: it keeps what is appended,
// once per event id, as the real log's consumers would see it.
type recorder struct {
	mu     sync.Mutex
	events []touchpoint.Event
	seen   map[string]bool
	fail   error
}

func (r *recorder) Append(ctx context.Context, events []touchpoint.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	for _, ev := range events {
		if !r.seen[ev.ID] {
			r.seen[ev.ID] = true
			r.events = append(r.events, ev)
		}
	}
	return nil
}

func (r *recorder) named(name string) []touchpoint.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []touchpoint.Event
	for _, ev := range r.events {
		if ev.Event == name {
			out = append(out, ev)
		}
	}
	return out
}

type bundle struct {
	db    *sqlite.DB
	log   *recorder
	clock *statetest.Clock
	sv    *touchpoint.Survey
}

func setup(t *testing.T) (*survey.Service, *bundle) {
	t.Helper()
	ctx := context.Background()
	clock := &statetest.Clock{T: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "state.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	min6, min7 := 6.0, 7.0
	sv := &touchpoint.Survey{Workspace: "acme", Name: "Delivery NPS", Status: touchpoint.SurveyActive, Touchpoint: "delivery",
		Questions: []touchpoint.Question{
			{ID: "score", Type: touchpoint.QuestionNPS, Required: true},
			{ID: "why_low", Type: touchpoint.QuestionSingleChoice, Text: "What went wrong?", ShowIf: &touchpoint.AnswerCondition{Question: "score", Max: &min6},
				Choices: []touchpoint.Choice{{ID: "late", Text: "It was late"}, {ID: "damaged", Text: "It was damaged"}}},
			{ID: "reason", Type: touchpoint.QuestionText, ShowIf: &touchpoint.AnswerCondition{Question: "score", Min: &min7}},
		},
		Widget: &touchpoint.WidgetRules{Enabled: true, URLs: []string{"https://shop.example/orders/*"}}}
	if err := db.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	b := &bundle{db: db, log: &recorder{}, clock: clock, sv: sv}
	return &survey.Service{Surveys: db, Profiles: db, Appender: b.log, Clock: clock}, b
}

func score(v float64) *float64 { return &v }

func TestAnswerFlow(t *testing.T) {
	ctx := context.Background()
	svc, b := setup(t)
	inv, err := svc.Invite(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: b.sv.ID, Customer: "user_id:u1", Delivery: touchpoint.DeliveryEmail, Language: "vi-VN"})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Invitation.CustomerKey != "user_id:u1" || inv.Invitation.Language != "en" || inv.Invitation.Touchpoint != "delivery" {
		t.Fatalf("invitation %+v (survey has custom questions in English only)", inv.Invitation)
	}
	sent := b.log.named(touchpoint.EventSurveySent)
	if len(sent) != 1 || sent[0].UserID != "u1" || sent[0].Channel != touchpoint.ChannelEmail || !strings.Contains(string(sent[0].Properties), inv.Invitation.ID) {
		t.Fatalf("survey.sent events %+v", sent)
	}

	t.Run("PartialAnswerKept", func(t *testing.T) {
		b.clock.T = b.clock.T.Add(time.Hour)
		ss, err := svc.Answer(ctx, inv.Token, []touchpoint.Answer{{QuestionID: "score", Score: score(4)}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if ss.Complete() || ss.Next == nil || ss.Next.ID != "why_low" {
			t.Fatalf("after score: complete=%v next=%v", ss.Complete(), ss.Next)
		}
		evs := b.log.named(touchpoint.EventSurveyResponded)
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		var p map[string]any
		json.Unmarshal(evs[0].Properties, &p)
		for k, want := range map[string]any{"survey_id": b.sv.ID, "survey_type": "nps", "score": 4.0, "max_score": 10.0, "complete": false,
			"touchpoint": "delivery", "language": "en", "response_id": ss.Response.ID, "comment": ""} {
			if fmt.Sprint(p[k]) != fmt.Sprint(want) {
				t.Errorf("property %s = %v, want %v", k, p[k], want)
			}
		}
		if evs[0].Channel != touchpoint.ChannelEmail || evs[0].UserID != "u1" || evs[0].SourceID != touchpoint.SystemSourceID {
			t.Fatalf("event %+v", evs[0])
		}
		got, err := b.db.FindSurveyInvitation(ctx, inv.Invitation.ID)
		if err != nil || got.AnsweredAt == nil || got.OpenedAt == nil || got.CompletedAt != nil {
			t.Fatalf("invitation after partial answer: %+v", got)
		}
	})
	t.Run("FollowUpCompletes", func(t *testing.T) {
		ss, err := svc.Answer(ctx, inv.Token, []touchpoint.Answer{{QuestionID: "why_low", Choices: []string{"late"}}}, "")
		if err != nil || ss.Next != nil || !ss.Complete() {
			// why_low was the last question for a detractor
			t.Fatalf("after why_low: %v next=%v", err, ss)
		}
	})
	t.Run("ErrAnswered", func(t *testing.T) {
		_, err := svc.Answer(ctx, inv.Token, []touchpoint.Answer{{QuestionID: "score", Score: score(10)}}, "")
		if !errors.Is(err, survey.ErrAnswered) || touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("reusing a complete link: %v", err)
		}
	})
	t.Run("SameAnswersAgainRecordOnce", func(t *testing.T) {
		before := len(b.log.named(touchpoint.EventSurveyResponded))
		ss, err := svc.Answer(ctx, inv.Token, []touchpoint.Answer{{QuestionID: "why_low", Choices: []string{"late"}}}, "")
		if err != nil || !ss.Complete() {
			t.Fatalf("retry of the last answer: %v", err)
		}
		if after := len(b.log.named(touchpoint.EventSurveyResponded)); after != before {
			t.Fatalf("events %d -> %d", before, after)
		}
	})
}

func TestAnswerValidation(t *testing.T) {
	ctx := context.Background()
	svc, b := setup(t)
	inv, err := svc.Invite(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: b.sv.ID, Customer: "user_id:u2", Delivery: touchpoint.DeliveryLink})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		answers []touchpoint.Answer
		field   string
	}{
		{"UnknownQuestion", []touchpoint.Answer{{QuestionID: "colour", Text: "red"}}, "answers[0].question_id"},
		{"FollowUpNotAsked", []touchpoint.Answer{{QuestionID: "reason", Text: "fine"}}, "answers[0].question_id"},
		{"ScoreOutOfRange", []touchpoint.Answer{{QuestionID: "score", Score: score(12)}}, "answers[0].score"},
		{"SecondAnswerBad", []touchpoint.Answer{{QuestionID: "score", Score: score(9)}, {QuestionID: "why_low", Choices: []string{"late"}}}, "answers[1].question_id"},
		{"None", nil, "answers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Answer(ctx, inv.Token, tt.answers, "")
			if touchpoint.ErrorField(err) != tt.field {
				t.Fatalf("got %v, want field %s", err, tt.field)
			}
		})
	}
	t.Run("AllAtOnce", func(t *testing.T) {
		ss, err := svc.Answer(ctx, inv.Token, []touchpoint.Answer{{QuestionID: "score", Score: score(9)}, {QuestionID: "reason", Text: "Fast and friendly"}}, "")
		if err != nil || !ss.Complete() || ss.Response.Comment != "Fast and friendly" {
			t.Fatalf("%v %+v", err, ss)
		}
	})
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	svc, b := setup(t)
	inv, err := svc.Invite(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: b.sv.ID, Customer: "user_id:u3", Delivery: touchpoint.DeliveryLink})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := survey.SplitToken(inv.Token)
	for _, tok := range []string{"", "nonsense", id + ".AAAAAAAAAAAAAAAAAAAAAAAAAAA", inv.Token[:len(inv.Token)-1] + "x", "inv_nope." + strings.Repeat("A", 27)} {
		if _, err := svc.Open(ctx, tok); !errors.Is(err, survey.ErrInvalidLink) {
			t.Errorf("token %q: %v", tok, err)
		}
	}
	if _, err := svc.Open(ctx, inv.Token); err != nil {
		t.Fatal(err)
	}
	b.clock.T = b.clock.T.Add(31 * 24 * time.Hour)
	if _, err := svc.Open(ctx, inv.Token); !errors.Is(err, survey.ErrExpired) {
		t.Fatalf("after 31 days: %v", err)
	}
}

func TestFatigue(t *testing.T) {
	ctx := context.Background()
	svc, b := setup(t)
	invite := func(customer string) error {
		_, err := svc.Invite(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: b.sv.ID, Customer: customer, Delivery: touchpoint.DeliveryLink})
		return err
	}
	other := &touchpoint.Survey{Workspace: "acme", Name: "Support CSAT", Type: touchpoint.SurveyCSAT, Status: touchpoint.SurveyActive}
	if err := b.db.CreateSurvey(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := invite("user_id:f1"); err != nil {
		t.Fatal(err)
	}
	t.Run("WorkspaceCooldownAcrossSurveys", func(t *testing.T) {
		b.clock.T = b.clock.T.Add(3 * 24 * time.Hour)
		_, err := svc.Invite(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: other.ID, Customer: "user_id:f1", Delivery: touchpoint.DeliveryLink})
		if touchpoint.ErrorCode(err) != touchpoint.ECONFLICT || !strings.Contains(touchpoint.ErrorMessage(err), "one every 14 days") {
			t.Fatalf("got %v", err)
		}
		if err := invite("user_id:f2"); err != nil {
			t.Fatalf("another customer: %v", err)
		}
	})
	t.Run("SettingsChangeCooldown", func(t *testing.T) {
		if err := b.db.SetSurveySettings(ctx, "acme", touchpoint.SurveySettings{CooldownDays: 2}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Invite(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: other.ID, Customer: "user_id:f1", Delivery: touchpoint.DeliveryLink})
		if err != nil {
			t.Fatalf("after cooldown of 2 days: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := svc.Invite(ctx, survey.InviteRequest{Workspace: "acme", SurveyID: b.sv.ID, Customer: "email:nobody@example.com", Delivery: touchpoint.DeliveryLink})
		if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("unknown email: %v", err)
		}
	})
}

func TestCheckFatigue(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	at := func(n int) *time.Time { t := days(n); return &t }
	sv := &touchpoint.Survey{ID: "srv_a", Name: "A", Recontact: touchpoint.Recontact{RetryAfterDays: 7, MaxAsks: 2}}
	recurring := &touchpoint.Survey{ID: "srv_a", Name: "A", Recontact: touchpoint.Recontact{RetryAfterDays: 7, MaxAsks: 2, RepeatEveryDays: 90}}
	settings := touchpoint.SurveySettings{CooldownDays: 14}
	inv := func(survey string, ago int, answered *time.Time) *touchpoint.SurveyInvitation {
		return &touchpoint.SurveyInvitation{SurveyID: survey, CreatedAt: days(ago), AnsweredAt: answered}
	}
	for _, tt := range []struct {
		name    string
		sv      *touchpoint.Survey
		history []*touchpoint.SurveyInvitation
		ok      bool
	}{
		{"NeverAsked", sv, nil, true},
		{"OtherSurveyWithinCooldown", sv, []*touchpoint.SurveyInvitation{inv("srv_b", 10, nil)}, false},
		{"OtherSurveyAfterCooldown", sv, []*touchpoint.SurveyInvitation{inv("srv_b", 15, nil)}, true},
		{"AnsweredOnce", sv, []*touchpoint.SurveyInvitation{inv("srv_a", 200, at(199))}, false},
		{"RecurringTooSoon", recurring, []*touchpoint.SurveyInvitation{inv("srv_a", 60, at(59))}, false},
		{"RecurringDue", recurring, []*touchpoint.SurveyInvitation{inv("srv_a", 95, at(91))}, true},
		{"UnansweredRetryLater", sv, []*touchpoint.SurveyInvitation{inv("srv_a", 20, nil)}, true},
		{"MaxAsksReached", sv, []*touchpoint.SurveyInvitation{inv("srv_a", 20, nil), inv("srv_a", 40, nil)}, false},
		{"MaxAsksCountsSinceLastAnswer", recurring, []*touchpoint.SurveyInvitation{inv("srv_a", 20, nil), inv("srv_a", 200, at(199))}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := survey.CheckFatigue(tt.sv, settings, tt.history, now)
			if (err == nil) != tt.ok || (err != nil && touchpoint.ErrorCode(err) != touchpoint.ECONFLICT) {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestEligible(t *testing.T) {
	ctx := context.Background()
	svc, b := setup(t)
	v := survey.Visitor{Workspace: "acme", AnonymousID: "anon-1", URL: "https://shop.example/orders/42"}
	got, _, err := svc.Eligible(ctx, v)
	if err != nil || len(got) != 1 {
		t.Fatalf("eligible = %v, %v", got, err)
	}
	v.URL = "https://shop.example/cart"
	if got, _, _ := svc.Eligible(ctx, v); len(got) != 0 {
		t.Fatalf("other page: %v", got)
	}
	v.URL = "https://shop.example/orders/42"
	inv, err := svc.Show(ctx, v, b.sv.ID, touchpoint.DeliveryWidget)
	if err != nil || inv.Invitation.CustomerKey != "anonymous_id:anon-1" {
		t.Fatalf("show = %+v, %v", inv, err)
	}
	if got, _, _ := svc.Eligible(ctx, v); len(got) != 0 {
		t.Fatalf("shown once, eligible again at once: %v", got)
	}
	if _, err := svc.Show(ctx, v, b.sv.ID, touchpoint.DeliveryWidget); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
		t.Fatalf("second show: %v", err)
	}
	ev := b.log.named(touchpoint.EventSurveySent)
	if len(ev) != 1 || ev[0].AnonymousID != "anon-1" || ev[0].Channel != touchpoint.ChannelWeb || strings.Contains(string(ev[0].Context), "externalIds") {
		t.Fatalf("widget survey.sent: %+v", ev)
	}
}

func TestMatchers(t *testing.T) {
	t.Run("URL", func(t *testing.T) {
		for _, tt := range []struct {
			patterns []string
			url      string
			ok       bool
		}{
			{nil, "https://x/", true},
			{[]string{"https://shop.example/orders/*"}, "https://shop.example/orders/42", true},
			{[]string{"https://shop.example/orders/*"}, "https://shop.example/cart", false},
			{[]string{"*/checkout*"}, "https://a.example/checkout?step=2", true},
			{[]string{"https://a.example/p.html"}, "https://a.example/pxhtml", false},
		} {
			if survey.MatchURL(tt.patterns, tt.url) != tt.ok {
				t.Errorf("%v %s: want %v", tt.patterns, tt.url, tt.ok)
			}
		}
	})
	t.Run("Sample", func(t *testing.T) {
		in := 0
		for i := 0; i < 4000; i++ {
			if survey.InSample("srv_1", fmt.Sprintf("anonymous_id:%d", i), 25) {
				in++
			}
		}
		if in < 850 || in > 1150 {
			t.Fatalf("25%% sample took %d of 4000", in)
		}
		if survey.InSample("srv_1", "k", 25) != survey.InSample("srv_1", "k", 25) {
			t.Fatal("sample is not stable")
		}
	})
	t.Run("Trait", func(t *testing.T) {
		traits := map[string]json.RawMessage{"plan": []byte(`"pro"`), "orders": []byte(`7`), "tags": []byte(`["vip","eu"]`)}
		for _, tt := range []struct {
			tc touchpoint.TraitCondition
			ok bool
		}{
			{touchpoint.TraitCondition{Trait: "plan", Op: "eq", Value: "pro"}, true},
			{touchpoint.TraitCondition{Trait: "plan", Op: "ne", Value: "pro"}, false},
			{touchpoint.TraitCondition{Trait: "plan", Op: "in", Value: []any{"free", "pro"}}, true},
			{touchpoint.TraitCondition{Trait: "orders", Op: "gte", Value: 7.0}, true},
			{touchpoint.TraitCondition{Trait: "orders", Op: "gt", Value: "7"}, false},
			{touchpoint.TraitCondition{Trait: "tags", Op: "contains", Value: "vip"}, true},
			{touchpoint.TraitCondition{Trait: "missing", Op: "exists"}, false},
			{touchpoint.TraitCondition{Trait: "missing", Op: "ne", Value: "x"}, true},
		} {
			if survey.MatchTrait(tt.tc, traits) != tt.ok {
				t.Errorf("%+v: want %v", tt.tc, tt.ok)
			}
		}
	})
}

func TestQualityFlags(t *testing.T) {
	_, b := setup(t)
	sv := &touchpoint.Survey{Questions: []touchpoint.Question{
		{ID: "a", Type: touchpoint.QuestionCSAT}, {ID: "b", Type: touchpoint.QuestionCES}, {ID: "c", Type: touchpoint.QuestionNPS}, {ID: "d", Type: touchpoint.QuestionText}}}
	t0 := b.clock.T
	ans := func(gap time.Duration, a, bb, c float64) []touchpoint.Answer {
		return []touchpoint.Answer{{QuestionID: "a", Score: &a, At: t0}, {QuestionID: "b", Score: &bb, At: t0.Add(gap)}, {QuestionID: "c", Score: &c, At: t0.Add(2 * gap)}}
	}
	if !survey.Speeder(ans(time.Second, 5, 7, 10)) || survey.Speeder(ans(4*time.Second, 5, 7, 10)) {
		t.Fatal("speeder")
	}
	if survey.Speeder(ans(0, 1, 1, 0)[:2]) {
		t.Fatal("two answers are no pace")
	}
	if !survey.StraightLine(sv, ans(time.Second, 5, 7, 10)) || !survey.StraightLine(sv, ans(time.Second, 1, 1, 0)) || survey.StraightLine(sv, ans(time.Second, 5, 6, 10)) {
		t.Fatal("straight line")
	}
	r := &touchpoint.Response{ID: "r2", SurveyID: "s", CustomerKey: "k1", StartedAt: t0, Comment: "The parcel arrived late again"}
	earlier := &touchpoint.Response{ID: "r1", SurveyID: "s", CustomerKey: "k2", StartedAt: t0.Add(-time.Hour), Comment: "the parcel arrived LATE again!"}
	if !survey.Duplicate(r, []*touchpoint.Response{earlier}) {
		t.Fatal("same comment within a day")
	}
	earlier.Comment, earlier.CustomerKey = "", "k1"
	earlier.Answers = []touchpoint.Answer{{QuestionID: "a"}}
	if !survey.Duplicate(r, []*touchpoint.Response{earlier}) {
		t.Fatal("same customer within a day")
	}
	earlier.StartedAt = t0.Add(-25 * time.Hour)
	if survey.Duplicate(r, []*touchpoint.Response{earlier}) {
		t.Fatal("a day later is not a duplicate")
	}
	for _, g := range []string{"asdfghjkl", "qwertyuiop asdf", "jjjjjjjj", "xkcdtzq vbnmrt", "sdfsdfsdf ghjghj"} {
		if !survey.Gibberish(g) {
			t.Errorf("%q not gibberish", g)
		}
	}
	for _, ok := range []string{"ok", "The driver was lovely", "hahahaha so good", "Giao hàng nhanh, đóng gói cẩn thận", "ส่งเร็วมากกกก ประทับใจ", "خیلی عالی بود ممنون", "Strengths: rhythm", "5555 ดีมาก"} {
		if survey.Gibberish(ok) {
			t.Errorf("%q called gibberish", ok)
		}
	}
}

// Real comments in the four languages are never called gibberish: the
// demo data set's, and a few written the way people write on phones.
func TestGibberishRealComments(t *testing.T) {
	n := 0
	all := demo.Comments()
	all["informal"] = []string{"ดีมากกกกก 555", "ส่งไวมากค่ะ ขอบคุณนะคะ", "giao hang nhanh, dong goi can than", "Rhythm of the app is off",
		"خیلی ممنون، بسته‌بندی عالی بود", "ok!!!", "5/5", "A+++", "hmm ok", "thx", "Vận chuyển nhanh 👍👍👍"}
	for lang, list := range all {
		for _, text := range list {
			n++
			if survey.Gibberish(text) {
				t.Errorf("%s comment called gibberish: %q", lang, text)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d comments", n)
	}
}
