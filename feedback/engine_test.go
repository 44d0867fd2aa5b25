package feedback_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	"github.com/touchpoint-cx/touchpoint/feedback"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/sqlite"
	"github.com/touchpoint-cx/touchpoint/statetest"
)

// lexicon is a small working text analyzer: language by script and
// diacritics, sentiment by a handful of words, topics by keywords.
type lexicon struct{ calls int }

func (l *lexicon) Analyze(ctx context.Context, workspace string, texts []string, lang string) ([]touchpoint.TextAnalysis, error) {
	l.calls++
	out := make([]touchpoint.TextAnalysis, len(texts))
	for i, t := range texts {
		low := strings.ToLower(t)
		a := touchpoint.TextAnalysis{Language: "en", Sentiment: touchpoint.SentimentNeutral, Topics: []string{}}
		for _, r := range t {
			switch {
			case unicode.Is(unicode.Thai, r):
				a.Language = "th"
			case unicode.Is(unicode.Arabic, r):
				a.Language = "fa"
			case strings.ContainsRune("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ", r):
				a.Language = "vi"
			}
		}
		score := 0.0
		for _, w := range []string{"great", "love", "fast", "tốt", "ดี", "عالی"} {
			if strings.Contains(low, w) {
				score++
			}
		}
		for _, w := range []string{"late", "broken", "damaged", "slow", "chậm", "ช้า", "دیر"} {
			if strings.Contains(low, w) {
				score--
			}
		}
		switch {
		case score > 0:
			a.Sentiment, a.Score = touchpoint.SentimentPositive, 0.8
		case score < 0:
			a.Sentiment, a.Score = touchpoint.SentimentNegative, -0.8
		}
		for topic, words := range map[string][]string{"delivery": {"deliver", "parcel", "late", "giao", "ส่ง"}, "price": {"price", "expensive", "giá"}} {
			for _, w := range words {
				if strings.Contains(low, w) {
					a.Topics = append(a.Topics, topic)
					break
				}
			}
		}
		out[i] = a
	}
	return out, nil
}

type bundle struct {
	db *sqlite.DB
	w  *duckdb.Warehouse
	an *lexicon
}

func setup(t *testing.T) (*feedback.Engine, *bundle) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "state.db"), &statetest.Clock{T: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w, err := duckdb.Open(ctx, filepath.Join(dir, "analytics.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	an := &lexicon{}
	e := feedback.NewEngine(db, w, an, slog.Default())
	e.Poll = time.Millisecond
	return e, &bundle{db: db, w: w, an: an}
}

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func track(id, user, name string, min int, props map[string]any) touchpoint.Event {
	at := t0.Add(time.Duration(min) * time.Minute)
	ev := touchpoint.Event{ID: id, Workspace: "default", Type: touchpoint.TypeTrack, Event: name, UserID: user, Channel: "web", Timestamp: at, ReceivedAt: at}
	if props != nil {
		ev.Properties, _ = json.Marshal(props)
	}
	return ev
}

// apply feeds a batch to the warehouse and then the engine, as the two
// consumers of the log would.
func apply(t *testing.T, e *feedback.Engine, b *bundle, seq uint64, events ...touchpoint.Event) {
	t.Helper()
	batch := tplog.Batch{Events: events, LastSequence: seq}
	if err := b.w.Apply(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if err := e.Apply(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

func TestEngine(t *testing.T) {
	ctx := context.Background()
	e, b := setup(t)
	apply(t, e, b, 1,
		track("e1", "u1", "Order Delivered", 0, nil),
		track("e2", "u1", "Survey Responded", 5, map[string]any{"survey_id": "srv_1", "survey_type": "nps", "score": 3, "max_score": 10,
			"response_id": "rsp_1", "invitation_id": "inv_1", "complete": false, "language": "en"}),
	)
	apply(t, e, b, 2,
		track("e3", "u1", "Survey Responded", 6, map[string]any{"survey_id": "srv_1", "survey_type": "nps", "score": 3, "max_score": 10,
			"response_id": "rsp_1", "invitation_id": "inv_1", "complete": true, "comment": "The parcel was late and the box damaged", "language": "en"}),
		// A demo-style answer: no response id, no "complete", its own touchpoint.
		track("e4", "u2", "Survey Responded", 7, map[string]any{"survey_id": "srv_csat", "survey_type": "csat", "score": 5, "max_score": 5,
			"comment": "Giao hàng rất nhanh, tốt lắm", "touchpoint": "store_visit", "language": "vi"}),
		track("e5", "u3", "Page Viewed", 8, nil),
	)
	items, err := b.db.FindFeedback(ctx, touchpoint.FeedbackFilter{Workspace: "default"})
	if err != nil || len(items) != 2 {
		t.Fatalf("items %v, %v", items, err)
	}
	r := items[1]
	if r.ID != feedback.ItemID("default", "response:rsp_1") || !r.Complete || *r.Score != 3 || r.Sentiment != "negative" || r.Language != "en" ||
		r.Touchpoint != "Order Delivered" || r.TouchpointChannel != "web" || len(r.Preceding) != 1 || r.Topics[0] != "delivery" || r.InvitationID != "inv_1" {
		t.Fatalf("response item %+v", r)
	}
	c := items[0]
	if c.Touchpoint != "store_visit" || c.Language != "vi" || c.Sentiment != "positive" || !c.Complete || c.SurveyType != "csat" {
		t.Fatalf("csat item %+v", c)
	}
	groups, err := b.w.ScoreCounts(ctx, touchpoint.MetricQuery{Workspace: "default", SurveyType: "nps", By: "touchpoint"})
	if err != nil || len(groups) != 1 || groups[0].Key != "Order Delivered" || groups[0].Counts[0].Count != 1 {
		t.Fatalf("facts %+v, %v", groups, err)
	}

	t.Run("ReplayChangesNothing", func(t *testing.T) {
		calls := b.an.calls
		if err := e.Apply(ctx, tplog.Batch{Events: []touchpoint.Event{track("e2", "u1", "Survey Responded", 5, map[string]any{"response_id": "rsp_1", "score": 1})}, LastSequence: 1}); err != nil {
			t.Fatal(err)
		}
		got, _ := b.db.FindFeedbackItem(ctx, "default", r.ID)
		if *got.Score != 3 || b.an.calls != calls {
			t.Fatalf("replay rewrote the item: %+v", got)
		}
	})
	t.Run("StoreBehindCatchesUp", func(t *testing.T) {
		// Analytics rebuilt from the log: its feedback checkpoint is 0.
		w2, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "a.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		defer w2.Close()
		e2 := feedback.NewEngine(b.db, w2, b.an, slog.Default())
		if seq, _ := e2.Checkpoint(ctx); seq != 0 {
			t.Fatalf("checkpoint %d, want 0", seq)
		}
		batch := tplog.Batch{Events: []touchpoint.Event{track("e3", "u1", "Survey Responded", 6, map[string]any{"survey_type": "nps", "score": 3, "response_id": "rsp_1"})}, LastSequence: 2}
		if err := w2.Apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := e2.Apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
		groups, _ := w2.ScoreCounts(ctx, touchpoint.MetricQuery{Workspace: "default", SurveyType: "nps"})
		if len(groups) != 1 {
			t.Fatalf("rebuilt facts %+v", groups)
		}
	})
	t.Run("WaitsForAnalytics", func(t *testing.T) {
		stop := make(chan struct{})
		e.Stopping = stop
		close(stop)
		batch := tplog.Batch{Events: []touchpoint.Event{track("e9", "u1", "Survey Responded", 9, map[string]any{"survey_type": "nps", "score": 9})}, LastSequence: 9}
		if err := e.Apply(ctx, batch); err == nil {
			t.Fatal("applied before analytics had the batch")
		}
	})
}

// TestExtractWithoutScore checks that an answer to a survey that is not
// scored (choices, open text), sent with "score": null, has no score
// rather than a score of 0.
func TestExtractWithoutScore(t *testing.T) {
	items := feedback.Extract([]touchpoint.Event{
		track("e1", "u1", "Survey Responded", 0, map[string]any{"survey_id": "srv_1", "survey_type": "choice", "score": nil, "max_score": nil,
			"response_id": "rsp_1", "comment": "Could not find the size guide"}),
		track("e2", "u1", "Survey Responded", 1, map[string]any{"survey_id": "srv_2", "survey_type": "nps", "score": 0, "max_score": 10, "response_id": "rsp_2"}),
	})
	if len(items) != 2 || items[0].Score != nil || items[0].MaxScore != nil {
		t.Fatalf("choice answer %+v", items[0])
	}
	if items[1].Score == nil || *items[1].Score != 0 || *items[1].MaxScore != 10 {
		t.Fatalf("a score of 0 %+v", items[1])
	}
}
