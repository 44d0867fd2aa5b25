package statetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// SurveyBackend is what a state store implements for surveys and feedback.
type SurveyBackend interface {
	touchpoint.WorkspaceService
	touchpoint.SurveyService
	touchpoint.FeedbackService
	FeedbackCheckpoint(ctx context.Context) (uint64, error)
	ApplyFeedback(ctx context.Context, items []*touchpoint.Feedback, seq uint64) error
}

// RunSurveys runs the survey and feedback part of the suite. clock is the
// backend's clock, which the suite moves.
func RunSurveys(t *testing.T, open func(t *testing.T) (SurveyBackend, *Clock)) {
	ctx := context.Background()
	setup := func(t *testing.T) (SurveyBackend, *Clock) {
		b, c := open(t)
		if err := b.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "acme", Name: "Acme"}); err != nil {
			t.Fatal(err)
		}
		return b, c
	}
	newSurvey := func(t *testing.T, b SurveyBackend) *touchpoint.Survey {
		s := &touchpoint.Survey{Workspace: "acme", Name: "Relationship NPS", Type: touchpoint.SurveyNPS, Status: touchpoint.SurveyActive,
			Widget: &touchpoint.WidgetRules{Enabled: true}}
		if err := b.CreateSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	t.Run("Survey", func(t *testing.T) {
		t.Run("OK", func(t *testing.T) {
			b, _ := setup(t)
			s := newSurvey(t, b)
			if !strings.HasPrefix(s.ID, "srv_") || s.Version != 1 || s.CreatedAt.IsZero() || len(s.Questions) != 2 {
				t.Fatalf("not filled in: %+v", s)
			}
			got, err := b.FindSurvey(ctx, "acme", s.ID)
			if err != nil || got.Name != s.Name || got.Type != touchpoint.SurveyNPS || len(got.Questions) != 2 || got.Widget == nil {
				t.Fatalf("find = %+v, %v", got, err)
			}
			draft := &touchpoint.Survey{Workspace: "acme", Name: "CSAT", Type: touchpoint.SurveyCSAT}
			if err := b.CreateSurvey(ctx, draft); err != nil {
				t.Fatal(err)
			}
			all, err := b.FindSurveys(ctx, touchpoint.SurveyFilter{Workspace: "acme"})
			if err != nil || len(all) != 2 {
				t.Fatalf("list = %v, %v", all, err)
			}
			widget, err := b.FindSurveys(ctx, touchpoint.SurveyFilter{Workspace: "acme", Widget: true})
			if err != nil || len(widget) != 1 || widget[0].ID != s.ID {
				t.Fatalf("widget surveys = %v, %v", widget, err)
			}
			active := touchpoint.SurveyActive
			if got, _ := b.FindSurveys(ctx, touchpoint.SurveyFilter{Workspace: "acme", Status: &active}); len(got) != 1 {
				t.Fatalf("active = %v", got)
			}
		})
		t.Run("Update", func(t *testing.T) {
			b, c := setup(t)
			s := newSurvey(t, b)
			c.T = c.T.Add(time.Hour)
			s.Name = "rNPS"
			s.Questions[1].Text = "Why?"
			if err := b.UpdateSurvey(ctx, s); err != nil {
				t.Fatal(err)
			}
			got, _ := b.FindSurvey(ctx, "acme", s.ID)
			if got.Version != 2 || got.Name != "rNPS" || !got.UpdatedAt.After(got.CreatedAt) || got.Questions[1].Text != "Why?" {
				t.Fatalf("after update: %+v", got)
			}
		})
		t.Run("ErrConflictTypeChangeAfterAnswers", func(t *testing.T) {
			b, c := setup(t)
			s := newSurvey(t, b)
			inv := invite(t, b, c, s, "prf_1")
			answer(t, b, c, s, inv, 9, false)
			s.Questions[1].Type = touchpoint.QuestionRating
			s.Questions[1].Text = "Rate us"
			err := b.UpdateSurvey(ctx, s)
			if touchpoint.ErrorCode(err) != touchpoint.ECONFLICT || touchpoint.ErrorField(err) != "questions[1].type" {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("GivenID", func(t *testing.T) {
			b, _ := setup(t)
			s := &touchpoint.Survey{ID: "srv_nps_delivery", Workspace: "acme", Name: "Delivery NPS", Type: touchpoint.SurveyNPS}
			if err := b.CreateSurvey(ctx, s); err != nil || s.ID != "srv_nps_delivery" {
				t.Fatalf("%v %s", err, s.ID)
			}
			again := &touchpoint.Survey{ID: "srv_nps_delivery", Workspace: "acme", Name: "Again", Type: touchpoint.SurveyNPS}
			if err := b.CreateSurvey(ctx, again); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("id in use: %v", err)
			}
			bad := &touchpoint.Survey{ID: "x y", Workspace: "acme", Name: "Bad", Type: touchpoint.SurveyNPS}
			if err := b.CreateSurvey(ctx, bad); touchpoint.ErrorField(err) != "id" {
				t.Fatalf("bad id: %v", err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			b, _ := setup(t)
			err := b.CreateSurvey(ctx, &touchpoint.Survey{Workspace: "acme", Name: "x"})
			if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != "questions" {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			b, _ := setup(t)
			s := newSurvey(t, b)
			if err := b.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "other", Name: "Other"}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.FindSurvey(ctx, "other", s.ID); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("other workspace: %v", err)
			}
			s.Workspace = "other"
			if err := b.UpdateSurvey(ctx, s); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("update from other workspace: %v", err)
			}
			err := b.CreateSurvey(ctx, &touchpoint.Survey{Workspace: "nope", Name: "x", Type: touchpoint.SurveyNPS})
			if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("unknown workspace: %v", err)
			}
		})
	})

	t.Run("Settings", func(t *testing.T) {
		b, _ := setup(t)
		st, err := b.SurveySettings(ctx, "acme")
		if err != nil || st.CooldownDays != touchpoint.DefaultSurveySettings().CooldownDays {
			t.Fatalf("defaults = %+v, %v", st, err)
		}
		k1, err := b.SurveySecret(ctx, "acme")
		if err != nil || len(k1) < 32 {
			t.Fatalf("secret %x, %v", k1, err)
		}
		if err := b.SetSurveySettings(ctx, "acme", touchpoint.SurveySettings{CooldownDays: 30}); err != nil {
			t.Fatal(err)
		}
		st, _ = b.SurveySettings(ctx, "acme")
		k2, _ := b.SurveySecret(ctx, "acme")
		if st.CooldownDays != 30 || string(k1) != string(k2) {
			t.Fatalf("after set: %+v, secret changed %v", st, string(k1) != string(k2))
		}
		if err := b.SetSurveySettings(ctx, "acme", touchpoint.SurveySettings{CooldownDays: -1}); touchpoint.ErrorField(err) != "cooldown_days" {
			t.Fatalf("bad cooldown: %v", err)
		}
		if _, err := b.SurveySecret(ctx, "nope"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("unknown workspace: %v", err)
		}
	})

	t.Run("Invitation", func(t *testing.T) {
		t.Run("HistoryGuardsInsert", func(t *testing.T) {
			b, c := setup(t)
			s := newSurvey(t, b)
			first := invite(t, b, c, s, "prf_1")
			c.T = c.T.Add(time.Minute)
			second := invite(t, b, c, s, "prf_1")
			var seen []*touchpoint.SurveyInvitation
			errTooSoon := touchpoint.Errorf(touchpoint.ECONFLICT, "too soon")
			inv := &touchpoint.SurveyInvitation{Workspace: "acme", SurveyID: s.ID, CustomerKey: "prf_1", Delivery: touchpoint.DeliveryLink, Language: "en", ExpiresAt: c.T}
			err := b.CreateSurveyInvitation(ctx, inv, []string{"prf_1", "user_id:x"}, func(h []*touchpoint.SurveyInvitation) error { seen = h; return errTooSoon })
			if !errors.Is(err, errTooSoon) || inv.ID != "" {
				t.Fatalf("refused insert: %v, id %q", err, inv.ID)
			}
			if len(seen) != 2 || seen[0].ID != second.ID || seen[1].ID != first.ID {
				t.Fatalf("history newest first: %v", seen)
			}
			c.T = c.T.Add(time.Minute)
			other := invite(t, b, c, s, "prf_2")
			both, err := b.SurveyInvitationHistory(ctx, "acme", []string{"prf_2", "prf_1"})
			if err != nil || len(both) != 3 || both[0].ID != other.ID {
				t.Fatalf("history of two keys: %v, %v", both, err)
			}
			got, err := b.FindSurveyInvitation(ctx, other.ID)
			if err != nil || got.CustomerKey != "prf_2" || got.SurveyID != s.ID || got.Delivery != touchpoint.DeliveryLink || !got.ExpiresAt.Equal(other.ExpiresAt) {
				t.Fatalf("find = %+v, %v", got, err)
			}
		})
		t.Run("Marks", func(t *testing.T) {
			b, c := setup(t)
			s := newSurvey(t, b)
			inv := invite(t, b, c, s, "prf_1")
			at := c.T.Add(time.Minute)
			if err := b.MarkSurveyInvitation(ctx, inv.ID, "opened", at); err != nil {
				t.Fatal(err)
			}
			if err := b.MarkSurveyInvitation(ctx, inv.ID, "opened", at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := b.MarkSurveyInvitation(ctx, inv.ID, "dismissed", at); err != nil {
				t.Fatal(err)
			}
			got, _ := b.FindSurveyInvitation(ctx, inv.ID)
			if got.OpenedAt == nil || !got.OpenedAt.Equal(at) || got.DismissedAt == nil {
				t.Fatalf("marks: %+v", got)
			}
			if err := b.MarkSurveyInvitation(ctx, "inv_nope", "opened", at); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("unknown: %v", err)
			}
		})
	})

	t.Run("Response", func(t *testing.T) {
		t.Run("Revisions", func(t *testing.T) {
			b, c := setup(t)
			s := newSurvey(t, b)
			inv := invite(t, b, c, s, "prf_1")
			r := answer(t, b, c, s, inv, 3, false)
			if r.ID == "" || r.Revision != 1 {
				t.Fatalf("first save: %+v", r)
			}
			got, _ := b.FindSurveyInvitation(ctx, inv.ID)
			if got.AnsweredAt == nil || got.CompletedAt != nil {
				t.Fatalf("invitation after partial answer: %+v", got)
			}
			stale := *r
			r.Answers = append(r.Answers, touchpoint.Answer{QuestionID: "reason", Text: "slow", At: c.T})
			r.Revision, r.Complete = 2, true
			if err := b.SaveResponse(ctx, r); err != nil {
				t.Fatal(err)
			}
			got, _ = b.FindSurveyInvitation(ctx, inv.ID)
			if got.CompletedAt == nil {
				t.Fatal("invitation not completed")
			}
			stale.Revision = 2
			if err := b.SaveResponse(ctx, &stale); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("concurrent save: %v", err)
			}
			r.Revision = 3
			if err := b.SaveResponse(ctx, r); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT || !strings.Contains(touchpoint.ErrorMessage(err), "already answered") {
				t.Fatalf("save after complete: %v", err)
			}
			byInv, err := b.FindResponseByInvitation(ctx, inv.ID)
			if err != nil || byInv.ID != r.ID || len(byInv.Answers) != 2 || !byInv.Complete {
				t.Fatalf("by invitation = %+v, %v", byInv, err)
			}
			again := &touchpoint.Response{Workspace: "acme", SurveyID: s.ID, InvitationID: inv.ID, CustomerKey: "prf_1", Revision: 1, StartedAt: c.T, UpdatedAt: c.T}
			if err := b.SaveResponse(ctx, again); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("second response to one invitation: %v", err)
			}
		})
		t.Run("Find", func(t *testing.T) {
			b, c := setup(t)
			s := newSurvey(t, b)
			var ids []string
			for i, cust := range []string{"prf_1", "prf_2", "prf_1"} {
				c.T = c.T.Add(time.Hour)
				inv := invite(t, b, c, s, cust)
				ids = append(ids, answer(t, b, c, s, inv, float64(i+5), true).ID)
			}
			all, err := b.FindResponses(ctx, touchpoint.ResponseFilter{Workspace: "acme", SurveyID: &s.ID})
			if err != nil || len(all) != 3 || all[0].ID != ids[2] {
				t.Fatalf("all = %v, %v", all, err)
			}
			mine, _ := b.FindResponses(ctx, touchpoint.ResponseFilter{Workspace: "acme", Customers: []string{"prf_1"}})
			if len(mine) != 2 {
				t.Fatalf("by customer: %d", len(mine))
			}
			page, _ := b.FindResponses(ctx, touchpoint.ResponseFilter{Workspace: "acme", Before: ids[2], Limit: 1})
			if len(page) != 1 || page[0].ID != ids[1] {
				t.Fatalf("page: %v", page)
			}
			if _, err := b.FindResponse(ctx, "acme", "rsp_nope"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("unknown: %v", err)
			}
		})
	})

	t.Run("Feedback", func(t *testing.T) {
		t.Run("ApplyAndFind", func(t *testing.T) {
			b, c := setup(t)
			score := 3.0
			items := []*touchpoint.Feedback{
				{ID: "fb_1", Workspace: "acme", EventID: "e1", Seq: 5, Source: "survey", Kind: touchpoint.KindSurvey, Channel: "email", SurveyID: "srv_1",
					Text: "Delivery was late", Score: &score, Sentiment: "negative", Language: "en", Topics: []string{"delivery"}, UserID: "u1", CreatedAt: c.T},
				{ID: "fb_2", Workspace: "acme", EventID: "e2", Seq: 5, Source: "hk_zendesk", Kind: touchpoint.KindTicket, Channel: "support",
					Text: "100% broken_thing", Sentiment: "negative", Language: "en", Email: "ana@example.com", Flags: []string{touchpoint.FlagGibberish}, CreatedAt: c.T.Add(time.Minute)},
			}
			if err := b.ApplyFeedback(ctx, items, 7); err != nil {
				t.Fatal(err)
			}
			if seq, err := b.FeedbackCheckpoint(ctx); err != nil || seq != 7 {
				t.Fatalf("checkpoint %d, %v", seq, err)
			}
			all, err := b.FindFeedback(ctx, touchpoint.FeedbackFilter{Workspace: "acme"})
			if err != nil || len(all) != 2 || all[0].ID != "fb_2" {
				t.Fatalf("all = %v, %v", all, err)
			}
			for _, tt := range []struct {
				name string
				f    touchpoint.FeedbackFilter
				want string
			}{
				{"Topic", touchpoint.FeedbackFilter{Topic: ptr("delivery")}, "fb_1"},
				{"Kind", touchpoint.FeedbackFilter{Kind: ptr("ticket")}, "fb_2"},
				{"Customer", touchpoint.FeedbackFilter{UserIDs: []string{"u1"}, Emails: []string{}}, "fb_1"},
				{"Email", touchpoint.FeedbackFilter{Emails: []string{"ana@example.com"}}, "fb_2"},
				{"Flagged", touchpoint.FeedbackFilter{Flagged: ptrb(true)}, "fb_2"},
				{"Unflagged", touchpoint.FeedbackFilter{Flagged: ptrb(false)}, "fb_1"},
				{"MaxScore", touchpoint.FeedbackFilter{MaxScore: ptrf(4)}, "fb_1"},
				{"TextLiteralPercent", touchpoint.FeedbackFilter{Q: "100% broken_"}, "fb_2"},
				{"Before", touchpoint.FeedbackFilter{Before: "fb_2"}, "fb_1"},
			} {
				tt.f.Workspace = "acme"
				got, err := b.FindFeedback(ctx, tt.f)
				if err != nil || len(got) != 1 || got[0].ID != tt.want {
					t.Errorf("%s: %v, %v", tt.name, got, err)
				}
			}
			topics, err := b.FeedbackTopics(ctx, touchpoint.FeedbackFilter{Workspace: "acme"})
			if err != nil || len(topics) != 1 || topics[0].Topic != "delivery" || topics[0].Count != 1 || topics[0].Negative != 1 || len(topics[0].Examples) != 1 {
				t.Fatalf("topics %+v, %v", topics, err)
			}
			// Results pages that leave flagged responses out count topics
			// the same way.
			if flagged, err := b.FeedbackTopics(ctx, touchpoint.FeedbackFilter{Workspace: "acme", Flagged: ptrb(true)}); err != nil || len(flagged) != 0 {
				t.Fatalf("topics of flagged items %+v, %v", flagged, err)
			}
			if clean, err := b.FeedbackTopics(ctx, touchpoint.FeedbackFilter{Workspace: "acme", Flagged: ptrb(false)}); err != nil || len(clean) != 1 || len(clean[0].Examples) != 1 {
				t.Fatalf("topics of unflagged items %+v, %v", clean, err)
			}
			// A replay of an older event leaves the newer item as it is.
			old := *items[0]
			old.Seq, old.Text = 3, "old"
			if err := b.ApplyFeedback(ctx, []*touchpoint.Feedback{&old}, 7); err != nil {
				t.Fatal(err)
			}
			newer := *items[0]
			newer.Seq, newer.Text, newer.Complete = 9, "Delivery was late and the box was crushed", true
			if err := b.ApplyFeedback(ctx, []*touchpoint.Feedback{&newer}, 9); err != nil {
				t.Fatal(err)
			}
			got, err := b.FindFeedbackItem(ctx, "acme", "fb_1")
			if err != nil || got.Text != newer.Text || !got.Complete || got.Topics[0] != "delivery" {
				t.Fatalf("item = %+v, %v", got, err)
			}
			if _, err := b.FindFeedback(ctx, touchpoint.FeedbackFilter{Workspace: "acme", Limit: 501}); touchpoint.ErrorField(err) != "limit" {
				t.Fatalf("limit: %v", err)
			}
		})
		t.Run("Hooks", func(t *testing.T) {
			b, _ := setup(t)
			h := &touchpoint.FeedbackHook{Workspace: "acme", Name: "zendesk", Mapping: touchpoint.FeedbackMapping{
				ExternalID: "ticket.id", Text: []string{"ticket.subject", "ticket.description"}, Email: "ticket.requester.email"}}
			if err := b.CreateFeedbackHook(ctx, h); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(h.ID, "hk_") || len(h.Secret) < 30 || h.Kind != touchpoint.KindTicket || h.Channel != touchpoint.ChannelSupport {
				t.Fatalf("hook %+v", h)
			}
			got, err := b.FindFeedbackHook(ctx, h.ID)
			if err != nil || got.Secret != h.Secret || got.Mapping.Email != "ticket.requester.email" || got.Workspace != "acme" {
				t.Fatalf("find = %+v, %v", got, err)
			}
			dup := &touchpoint.FeedbackHook{Workspace: "acme", Name: "zendesk", Mapping: h.Mapping}
			if err := b.CreateFeedbackHook(ctx, dup); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("duplicate name: %v", err)
			}
			bad := &touchpoint.FeedbackHook{Workspace: "acme", Name: "trustpilot", Mapping: touchpoint.FeedbackMapping{Text: []string{"review..text"}, Email: "e"}}
			if err := b.CreateFeedbackHook(ctx, bad); touchpoint.ErrorField(err) != "mapping.text[0]" {
				t.Fatalf("bad path: %v", err)
			}
			got.Mapping.Score = "ticket.satisfaction.score"
			got.Mapping.ScoreMap = map[string]float64{"good": 5, "bad": 1}
			if err := b.UpdateFeedbackHook(ctx, got); err != nil {
				t.Fatal(err)
			}
			list, _ := b.FindFeedbackHooks(ctx, "acme")
			if len(list) != 1 || list[0].Mapping.ScoreMap["good"] != 5 || list[0].Secret != h.Secret {
				t.Fatalf("list = %+v", list)
			}
			r, err := b.RevokeFeedbackHook(ctx, "acme", h.ID)
			if err != nil || r.RevokedAt == nil {
				t.Fatalf("revoke = %+v, %v", r, err)
			}
			if err := b.UpdateFeedbackHook(ctx, got); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
				t.Fatalf("update revoked: %v", err)
			}
			if _, err := b.RevokeFeedbackHook(ctx, "other", h.ID); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("revoke from other workspace: %v", err)
			}
		})
	})
}

func invite(t *testing.T, b SurveyBackend, c *Clock, s *touchpoint.Survey, customer string) *touchpoint.SurveyInvitation {
	t.Helper()
	inv := &touchpoint.SurveyInvitation{Workspace: s.Workspace, SurveyID: s.ID, CustomerKey: customer, ProfileID: customer,
		Delivery: touchpoint.DeliveryLink, Language: "en", CreatedAt: c.T, ExpiresAt: c.T.Add(30 * 24 * time.Hour)}
	if err := b.CreateSurveyInvitation(context.Background(), inv, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(inv.ID, "inv_") {
		t.Fatalf("invitation id %q", inv.ID)
	}
	return inv
}

func answer(t *testing.T, b SurveyBackend, c *Clock, s *touchpoint.Survey, inv *touchpoint.SurveyInvitation, score float64, complete bool) *touchpoint.Response {
	t.Helper()
	r := &touchpoint.Response{Workspace: s.Workspace, SurveyID: s.ID, SurveyType: string(s.Type), InvitationID: inv.ID, CustomerKey: inv.CustomerKey,
		Delivery: inv.Delivery, Language: "en", Answers: []touchpoint.Answer{{QuestionID: "score", Score: &score, At: c.T}},
		Complete: complete, Revision: 1, StartedAt: c.T, UpdatedAt: c.T}
	r.Summarize(s)
	if err := b.SaveResponse(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

func ptr(s string) *string    { return &s }
func ptrb(b bool) *bool       { return &b }
func ptrf(f float64) *float64 { return &f }
