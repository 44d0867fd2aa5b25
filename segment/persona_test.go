package segment_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/segment"
)

func (h *harness) personas() *segment.Personas {
	p := &segment.Personas{Store: h.db, Analytics: h.w, Segments: h.db, Clock: h.clock, Logger: quiet(),
		Workspaces: func(ctxt context.Context) ([]string, error) { return []string{"default"}, nil }}
	h.svc.Personas = p
	return p
}

// TestPersonas discovers three kinds of customers the data was made of,
// names them by what sets them apart, and lists a manual persona beside
// them.
func TestPersonas(t *testing.T) {
	h := setup(t)
	r := rand.New(rand.NewPCG(3, 4))
	var evs []touchpoint.Event
	for i := 0; i < 45; i++ {
		// Store regulars who buy a lot and love it.
		u := fmt.Sprintf("store%d", i)
		for j := 0; j < 8+r.IntN(4); j++ {
			ev := track(u, "Order Completed", ago(timeDays(r.Float64()*60)), fmt.Sprintf(`{"revenue":%d}`, 80+r.IntN(60)))
			ev.Channel = "store"
			evs = append(evs, ev)
		}
		evs = append(evs, track(u, "Survey Responded", ago(3*day), fmt.Sprintf(`{"survey_type":"nps","score":%d}`, 9+r.IntN(2))))
		// App browsers who look and do not buy.
		u = fmt.Sprintf("app%d", i)
		for j := 0; j < 20+r.IntN(10); j++ {
			ev := track(u, "Product Viewed", ago(timeDays(r.Float64()*20)), ``)
			ev.Channel = "app"
			evs = append(evs, ev)
		}
		// Email readers who have gone quiet and are unhappy.
		u = fmt.Sprintf("gone%d", i)
		for j := 0; j < 2+r.IntN(2); j++ {
			ev := track(u, "Email Opened", ago(timeDays(150+r.Float64()*60)), ``)
			ev.Channel = "email"
			evs = append(evs, ev)
		}
		evs = append(evs, track(u, "Survey Responded", ago(140*day), fmt.Sprintf(`{"survey_type":"nps","score":%d}`, 2+r.IntN(3))))
	}
	h.batch(evs...)
	p := h.personas()
	run, err := p.RefreshPersonas(h.ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	if run.K != 3 || run.Customers != 135 || run.Silhouette < 0.5 {
		t.Fatalf("run = %+v, want 3 clusters of 135 customers, well apart", run)
	}
	vip := h.create("VIP", jsonCond(t, `{"event":{"name":"Order Completed","op":"gte","count":10}}`))
	vip.Persona, vip.Description = true, "Ten orders or more"
	if err := h.svc.UpdateSegment(h.ctx, vip); err != nil {
		t.Fatal(err)
	}
	h.refresh()
	list, got, err := p.Personas(h.ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.K != 3 || len(list) != 4 {
		t.Fatalf("personas = %d, run %+v", len(list), got)
	}
	manual := list[0]
	if manual.Kind != touchpoint.PersonaManual || manual.Name != "VIP" || manual.Size == 0 || manual.NPS == nil || *manual.NPS != 100 ||
		manual.ChurnRisk == nil || *manual.ChurnRisk != 0 {
		t.Fatalf("manual persona = %+v", manual)
	}
	byMember := map[string]*touchpoint.Persona{}
	for _, ps := range list[1:] {
		if ps.Kind != touchpoint.PersonaDiscovered || ps.Size != 45 || math.Abs(ps.Share-1.0/3) > 1e-9 || ps.Description == "" {
			t.Fatalf("discovered persona = %+v", ps)
		}
		ids, err := h.svc.Members(h.ctx, "default", ps.ID)
		if err != nil {
			t.Fatal(err)
		}
		users := h.userIDs(ids)
		byMember[strings.TrimRight(users[0], "0123456789")] = ps
		// Analyses filter by persona through the analytics store's copy.
		var n int
		if err := h.w.DB().QueryRow(`SELECT count(*) FROM segment_members WHERE segment_id = ?`, ps.ID).Scan(&n); err != nil || n != 45 {
			t.Fatalf("analytics holds %d members of %s, %v", n, ps.ID, err)
		}
	}
	store, app, gone := byMember["store"], byMember["app"], byMember["gone"]
	if store == nil || app == nil || gone == nil {
		t.Fatalf("personas do not match the three kinds: %v", byMember)
	}
	t.Logf("%s: %s", store.Name, store.Description)
	t.Logf("%s: %s", app.Name, app.Description)
	t.Logf("%s: %s", gone.Name, gone.Description)
	if *store.NPS != 100 || *gone.NPS != -100 || app.NPS != nil {
		t.Fatalf("NPS: store %v, gone %v, app %v", *store.NPS, *gone.NPS, app.NPS)
	}
	if *gone.ChurnRisk != 1 || *app.ChurnRisk != 0 || !strings.Contains(gone.ChurnSource, "proxy") {
		t.Fatalf("churn risk: gone %v, app %v (%s)", *gone.ChurnRisk, *app.ChurnRisk, gone.ChurnSource)
	}
	if !strings.Contains(gone.Description, "have not been seen for a while") && !strings.Contains(gone.Name, "Lapsing") {
		t.Fatalf("the lapsed group is described as %q: %s", gone.Name, gone.Description)
	}
	if !strings.Contains(store.Description, "store") && !strings.Contains(store.Description, "buy often") && !strings.Contains(store.Description, "spend more") {
		t.Fatalf("the store group is described as %q: %s", store.Name, store.Description)
	}

	t.Run("Schedule", func(t *testing.T) {
		h.t = t
		if err := p.RefreshDue(h.ctx, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, again, _ := p.Personas(h.ctx, "default"); again.Run != got.Run {
			t.Fatalf("refreshed before its time: run %d, was %d", again.Run, got.Run)
		}
		h.at(t0.Add(25 * time.Hour))
		if err := p.RefreshDue(h.ctx, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, again, _ := p.Personas(h.ctx, "default"); again.Run == got.Run {
			t.Fatal("not refreshed a day later")
		}
	})
}

// TestKMeansSilhouette checks the criterion on points in known groups.
func TestKMeansSilhouette(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, want := range []int{2, 4} {
		var pts [][]float64
		for c := 0; c < want; c++ {
			for i := 0; i < 150; i++ {
				pts = append(pts, []float64{float64(c*10) + r.NormFloat64(), float64((c%2)*10) + r.NormFloat64()})
			}
		}
		if got := segment.ChooseK(pts, r); got != want {
			t.Errorf("chose k = %d for %d groups", got, want)
		}
	}
}
