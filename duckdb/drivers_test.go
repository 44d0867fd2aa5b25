package duckdb_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// oneFactorEffect is the ridge estimate (penalty 1) of a 0/1 factor
// present in k of n samples, when it is the only factor: the difference of
// the two groups' means, shrunk by S / (S + 1) with S = k(n − k) / n.
func oneFactorEffect(k, n int, diff float64) float64 {
	s := float64(k*(n-k)) / float64(n)
	return s * diff / (s + 1)
}

func TestDrivers(t *testing.T) {
	ctx := context.Background()
	day := 24 * time.Hour

	t.Run("SentimentByTopic", func(t *testing.T) {
		// Ten customers get a delivery, then write a ticket. Five mention
		// delivery and read −0.5, five mention nothing and read +0.5.
		// Everything else is common to all ten, so topic:delivery is the
		// only factor left.
		w, _ := setup(t)
		var events []said
		for i := range 10 {
			user := fmt.Sprintf("c%d", i)
			it := text("ticket", "positive", 0.5)
			if i < 5 {
				it = text("ticket", "negative", -0.5, "delivery")
			}
			events = append(events, said{id: user + "-od", user: user, event: "Order Delivered"},
				said{id: user + "-tk", user: user, event: "Feedback Received", at: time.Hour, props: `{"kind":"ticket"}`, item: it})
		}
		loadSaid(t, w, 1, events)
		mapIdentity(t, w)
		got, err := w.Drivers(ctx, touchpoint.DriversRequest{Scope: ws(), Outcome: touchpoint.OutcomeSentiment})
		if err != nil {
			t.Fatal(err)
		}
		if got.Samples != 10 || math.Abs(got.Mean) > 1e-12 || len(got.Drivers) != 1 {
			t.Fatalf("samples %d mean %v drivers %+v; want 10, 0 and topic:delivery only", got.Samples, got.Mean, got.Drivers)
		}
		d := got.Drivers[0]
		if want := oneFactorEffect(5, 10, -1); d.Factor != "topic:delivery" || math.Abs(d.Effect-want) > 1e-9 || !d.Significant || d.Prevalence != 0.5 {
			t.Errorf("driver %+v, want topic:delivery with effect %.6f, significant, in half the items", d, want)
		}
	})

	t.Run("NPSByTopic", func(t *testing.T) {
		// Ten customers answer NPS an hour after a delivery on day 40.
		// Delivery comes up for five detractors (2): in three answers'
		// comments (n0 answers in two steps) and in tickets two days before
		// for two more. n5 wrote about delivery forty days before, outside
		// the 30-day lookback, and is a promoter (10) like the other four.
		w, _ := setup(t)
		var events []said
		for i := range 10 {
			user := fmt.Sprintf("n%d", i)
			at := 40 * day
			events = append(events, said{id: user + "-od", user: user, event: "Order Delivered", at: at})
			score, comment := 10, ""
			var it *touchpoint.Feedback
			switch {
			case i < 3:
				score, comment, it = 2, `,"comment":"late"`, text("survey", "negative", -0.7, "delivery")
			case i < 5:
				score = 2
				events = append(events, said{id: user + "-tk", user: user, event: "Feedback Received", at: at - 2*day, props: `{"kind":"ticket"}`,
					item: text("ticket", "negative", -0.4, "delivery")})
			case i == 5:
				events = append(events, said{id: user + "-tk", user: user, event: "Feedback Received", at: at - 40*day, props: `{"kind":"ticket"}`,
					item: text("ticket", "negative", -0.4, "delivery")})
			}
			if i == 0 {
				events = append(events, said{id: user + "-sr0", user: user, event: "Survey Responded", at: at + 50*time.Minute,
					props: `{"survey_type":"nps","score":2,"max_score":10,"response_id":"r-n0","complete":false}`})
			}
			events = append(events, said{id: user + "-sr", user: user, event: "Survey Responded", at: at + time.Hour,
				props: fmt.Sprintf(`{"survey_type":"nps","score":%d,"max_score":10,"response_id":"r-%s"%s}`, score, user, comment), item: it})
		}
		loadSaid(t, w, 1, events)
		mapIdentity(t, w)
		got, err := w.Drivers(ctx, touchpoint.DriversRequest{Scope: ws(), Outcome: touchpoint.OutcomeNPS})
		if err != nil {
			t.Fatal(err)
		}
		if got.Samples != 10 || got.Mean != 6 || len(got.Drivers) != 1 {
			t.Fatalf("samples %d mean %v drivers %+v; want 10 answers (n0's once), mean 6, topic:delivery only", got.Samples, got.Mean, got.Drivers)
		}
		d := got.Drivers[0]
		if want := oneFactorEffect(5, 10, 2-10); d.Factor != "topic:delivery" || math.Abs(d.Effect-want) > 1e-9 || !d.Significant {
			t.Errorf("driver %+v, want topic:delivery with effect %.6f", d, want)
		}
	})

	t.Run("ChurnByTopic", func(t *testing.T) {
		// Eighty customers visit twice before the cutoff. Forty of them
		// complain about price five days before it and, but for five, do
		// nothing after it; of the others, all but five come back. Three of
		// the complaints also mention packaging: too few to be a feature.
		w, _ := setup(t)
		now := t0.Add(200 * day)
		cutoff := now.Add(-30 * day)
		var events []said
		for i := range 80 {
			user := fmt.Sprintf("k%02d", i)
			events = append(events, said{id: user + "-v1", user: user, event: "Visit", at: cutoff.Add(-60 * day).Sub(t0)},
				said{id: user + "-v2", user: user, event: "Visit", at: cutoff.Add(-10 * day).Sub(t0)})
			complains := i%2 == 0
			if complains {
				topics := []string{"price"}
				if i < 6 {
					topics = append(topics, "packaging")
				}
				events = append(events, said{id: user + "-tk", user: user, event: "Feedback Received", at: cutoff.Add(-5 * day).Sub(t0),
					props: `{"kind":"ticket"}`, item: text("ticket", "negative", -0.6, topics...)})
			}
			if complains == (i%16 < 2) {
				events = append(events, said{id: user + "-v3", user: user, event: "Visit", at: cutoff.Add(10 * day).Sub(t0)})
			}
		}
		loadSaid(t, w, 1, events)
		mapIdentity(t, w)
		got, err := w.Drivers(ctx, touchpoint.DriversRequest{Scope: touchpoint.Scope{Workspace: "default", To: &now}, Outcome: touchpoint.OutcomeChurn})
		if err != nil {
			t.Fatal(err)
		}
		byFactor := map[string]touchpoint.Driver{}
		for _, d := range got.Drivers {
			byFactor[d.Factor] = d
		}
		if d, ok := byFactor["topic:price"]; !ok || d.Effect <= 0 || d.Prevalence != 0.5 {
			t.Errorf("topic:price %+v (present %v), want a positive effect on churn, in half the customers; drivers %+v", d, ok, got.Drivers)
		}
		if _, ok := byFactor["topic:packaging"]; ok {
			t.Error("a topic three customers mentioned is a churn feature")
		}
	})

	t.Run("ErrNotEnough", func(t *testing.T) {
		w, _ := setup(t)
		loadSaid(t, w, 1, cxFixture)
		mapIdentity(t, w)
		_, err := w.Drivers(ctx, touchpoint.DriversRequest{Scope: ws(), Outcome: touchpoint.OutcomeSentiment})
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Errorf("four items: %v", err)
		}
		_, err = w.Drivers(ctx, touchpoint.DriversRequest{Scope: ws(), Outcome: "joy"})
		if touchpoint.ErrorField(err) != "outcome" {
			t.Errorf("unknown outcome: %v", err)
		}
	})
}
