package duckdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

var day0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func fb(id, user string, typ string, score float64, at time.Time, mod func(*touchpoint.Feedback)) *touchpoint.Feedback {
	f := &touchpoint.Feedback{ID: id, Workspace: "default", EventID: "e-" + id, Source: "survey", Kind: touchpoint.KindSurvey,
		Channel: "email", SurveyID: "srv_a", SurveyType: typ, Score: &score, Complete: true, Language: "en", UserID: user, CreatedAt: at,
		Topics: []string{}, Flags: []string{}}
	if mod != nil {
		mod(f)
	}
	return f
}

func TestApplyFeedback(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	items := []*touchpoint.Feedback{
		fb("f1", "u1", "nps", 3, day0, func(f *touchpoint.Feedback) { f.Complete = false }),
		fb("f2", "u2", "nps", 10, day0, nil),
	}
	if err := w.ApplyFeedback(ctx, items, 5); err != nil {
		t.Fatal(err)
	}
	// f1 grows into a complete promoter; written twice in one batch, once before.
	later := []*touchpoint.Feedback{fb("f1", "u1", "nps", 8, day0, nil), fb("f1", "u1", "nps", 9, day0, nil)}
	if err := w.ApplyFeedback(ctx, later, 9); err != nil {
		t.Fatal(err)
	}
	if seq, err := w.FeedbackCheckpoint(ctx); err != nil || seq != 9 {
		t.Fatalf("checkpoint %d, %v", seq, err)
	}
	groups, err := w.ScoreCounts(ctx, touchpoint.MetricQuery{Workspace: "default", SurveyType: "nps"})
	if err != nil {
		t.Fatal(err)
	}
	r := touchpoint.ComputeNPS(groups[0].Counts)
	if len(groups) != 1 || r.Responses != 2 || r.Promoters != 2 || *r.NPS != 100 {
		t.Fatalf("groups %+v, nps %+v", groups, r)
	}
}

func TestScoreCounts(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	items := []*touchpoint.Feedback{
		fb("a", "u1", "nps", 10, day0, func(f *touchpoint.Feedback) { f.Touchpoint = "delivery" }),
		fb("b", "u2", "nps", 9, day0.Add(time.Hour), func(f *touchpoint.Feedback) { f.Channel = "web"; f.Language = "vi" }),
		fb("c", "u3", "nps", 2, day0.Add(8*24*time.Hour), func(f *touchpoint.Feedback) { f.Touchpoint = "delivery"; f.Flags = []string{"gibberish"} }),
		fb("d", "u4", "nps", 7, day0.Add(8*24*time.Hour), func(f *touchpoint.Feedback) { f.Complete = false; f.SurveyID = "srv_b" }),
		fb("e", "u1", "csat", 4, day0, nil),
	}
	if err := w.ApplyFeedback(ctx, items, 3); err != nil {
		t.Fatal(err)
	}
	// u1 and u3 are one customer, prf_1, on the plan "pro".
	if _, err := w.DB().ExecContext(ctx, `INSERT INTO identity_map VALUES ('default','user_id','u1','prf_1','prf_1'),('default','user_id','u3','prf_3','prf_1'),('default','user_id','u2','prf_2','prf_2')`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().ExecContext(ctx, `INSERT INTO profile_traits VALUES ('default','prf_1','{"plan":"pro","a.b":"x"}',now()),('default','prf_2','{"plan":"free"}',now())`); err != nil {
		t.Fatal(err)
	}
	nps := func(q touchpoint.MetricQuery) map[string]touchpoint.NPSResult {
		q.Workspace, q.SurveyType = "default", "nps"
		groups, err := w.ScoreCounts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]touchpoint.NPSResult{}
		for _, g := range groups {
			k := g.Key
			if g.Bucket != nil {
				k += "@" + g.Bucket.Format(time.DateOnly)
			}
			out[k] = touchpoint.ComputeNPS(g.Counts)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		q    touchpoint.MetricQuery
		want map[string]int64 // group → responses
		nps  map[string]float64
	}{
		{"All", touchpoint.MetricQuery{}, map[string]int64{"": 4}, map[string]float64{"": 25}},
		{"ExcludeFlags", touchpoint.MetricQuery{ExcludeFlags: []string{"gibberish", "speeder"}}, map[string]int64{"": 3}, nil},
		{"CompleteOnly", touchpoint.MetricQuery{CompleteOnly: true}, map[string]int64{"": 3}, nil},
		{"ByChannel", touchpoint.MetricQuery{By: "channel"}, map[string]int64{"email": 3, "web": 1}, map[string]float64{"web": 100}},
		{"ByTouchpoint", touchpoint.MetricQuery{By: "touchpoint"}, map[string]int64{"delivery": 2, "": 2}, map[string]float64{"delivery": 0}},
		{"BySurvey", touchpoint.MetricQuery{By: "survey"}, map[string]int64{"srv_a": 3, "srv_b": 1}, nil},
		{"ByLanguage", touchpoint.MetricQuery{By: "language", Languages: []string{"vi"}}, map[string]int64{"vi": 1}, nil},
		{"ByTrait", touchpoint.MetricQuery{By: "trait.plan"}, map[string]int64{"pro": 2, "free": 1, "": 1}, map[string]float64{"pro": 0}},
		{"TraitFilter", touchpoint.MetricQuery{Traits: map[string]string{"plan": "pro", "a.b": "x"}}, map[string]int64{"": 2}, nil},
		{"Profiles", touchpoint.MetricQuery{ProfileIDs: []string{"prf_1"}}, map[string]int64{"": 2}, nil},
		{"EmptySegment", touchpoint.MetricQuery{ProfileIDs: []string{}}, map[string]int64{}, nil},
		{"Window", touchpoint.MetricQuery{From: ptrT(day0.Add(24 * time.Hour))}, map[string]int64{"": 2}, nil},
		{"WeeklySeries", touchpoint.MetricQuery{Interval: "week"}, map[string]int64{"@2026-11-02": 2, "@2026-11-09": 2}, map[string]float64{"@2026-11-02": 100, "@2026-11-09": -50}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := nps(tt.q)
			if len(got) != len(tt.want) {
				t.Fatalf("groups %v, want %v", got, tt.want)
			}
			for k, n := range tt.want {
				if got[k].Responses != n {
					t.Errorf("%q: %d responses, want %d", k, got[k].Responses, n)
				}
			}
			for k, v := range tt.nps {
				if got[k].NPS == nil || *got[k].NPS != v {
					t.Errorf("%q: nps %v, want %v", k, got[k].NPS, v)
				}
			}
		})
	}
	t.Run("CSAT", func(t *testing.T) {
		groups, err := w.ScoreCounts(ctx, touchpoint.MetricQuery{Workspace: "default", SurveyType: "csat"})
		if err != nil || len(groups) != 1 || *touchpoint.ComputeCSAT(groups[0].Counts).CSAT != 100 {
			t.Fatalf("%v %v", groups, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if _, err := w.ScoreCounts(ctx, touchpoint.MetricQuery{Workspace: "default", SurveyType: "nps", By: "colour"}); touchpoint.ErrorField(err) != "by" {
			t.Fatalf("got %v", err)
		}
	})
}

func ptrT(t time.Time) *time.Time { return &t }

func TestPrecedingEventsAndResponseCounts(t *testing.T) {
	ctx := context.Background()
	w, _ := setup(t)
	at := func(m int) time.Time { return day0.Add(time.Duration(m) * time.Minute) }
	mk := func(id, user, anon, name string, typ touchpoint.EventType, m int, props string) touchpoint.Event {
		e := touchpoint.Event{ID: id, Workspace: "default", Type: typ, UserID: user, AnonymousID: anon, Channel: "web", Timestamp: at(m), ReceivedAt: at(m)}
		if typ == touchpoint.TypeTrack {
			e.Event = name
		} else {
			e.Name = name
		}
		if props != "" {
			e.Properties, e.SourceID = []byte(props), touchpoint.SystemSourceID
		}
		return e
	}
	events := []touchpoint.Event{
		mk("1", "", "anon-9", "Pricing", touchpoint.TypePage, 1, ""),
		mk("2", "u1", "", "Order Delivered", touchpoint.TypeTrack, 2, ""),
		mk("3", "u1", "", "Support Ticket Closed", touchpoint.TypeTrack, 3, ""),
		mk("4", "u1", "", "survey.sent", touchpoint.TypeTrack, 4, `{"invitation_id":"inv_1","survey_id":"srv_a","language":"en"}`),
		mk("5", "u1", "", "Survey Responded", touchpoint.TypeTrack, 5, ""),
		mk("6", "u2", "", "survey.sent", touchpoint.TypeTrack, 6, `{"invitation_id":"inv_2","survey_id":"srv_a","language":"vi"}`),
		mk("7", "u1", "", "Checkout Started", touchpoint.TypeTrack, 60, ""),
	}
	if err := w.Apply(ctx, tplog.Batch{Events: events, LastSequence: 7}); err != nil {
		t.Fatal(err)
	}
	// anon-9 became u1 (identity resolution's map).
	if _, err := w.DB().ExecContext(ctx, `INSERT INTO identity_map VALUES ('default','user_id','u1','prf_1','prf_1'),('default','anonymous_id','anon-9','prf_1','prf_1')`); err != nil {
		t.Fatal(err)
	}
	got, err := w.PrecedingEvents(ctx, "default", []touchpoint.PrecedingQuery{{ID: "f1", UserID: "u1", At: at(5)}, {ID: "f2", UserID: "nobody", At: at(5)}})
	if err != nil {
		t.Fatal(err)
	}
	f1 := got["f1"]
	if len(f1) != 3 || f1[0].Name != "Support Ticket Closed" || f1[1].Name != "Order Delivered" || f1[2].Name != "page: Pricing" || f1[0].EventID != "3" {
		t.Fatalf("preceding %+v", f1)
	}
	if len(got["f2"]) != 0 {
		t.Fatalf("stranger: %+v", got["f2"])
	}

	if err := w.ApplyFeedback(ctx, []*touchpoint.Feedback{fb("f1", "u1", "nps", 9, at(5), func(f *touchpoint.Feedback) { f.InvitationID = "inv_1" })}, 7); err != nil {
		t.Fatal(err)
	}
	rates, err := w.ResponseCounts(ctx, touchpoint.MetricQuery{Workspace: "default"})
	if err != nil || len(rates) != 1 || rates[0].Sent != 2 || rates[0].Responded != 1 || rates[0].Completed != 1 {
		t.Fatalf("rates %+v, %v", rates, err)
	}
	byLang, err := w.ResponseCounts(ctx, touchpoint.MetricQuery{Workspace: "default", By: "language"})
	if err != nil || len(byLang) != 2 || byLang[0].Key != "en" || byLang[0].Responded != 1 || byLang[1].Key != "vi" || byLang[1].Responded != 0 {
		t.Fatalf("by language %+v, %v", byLang, err)
	}
}
