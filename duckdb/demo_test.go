package duckdb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/demo"
	"github.com/touchpoint-cx/touchpoint/duckdb"
	"github.com/touchpoint-cx/touchpoint/identity"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

var demoEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// demoWarehouse loads a slice of the demo data set once for the tests that
// check analytics give sensible answers on realistic data. identity_map is
// fed the way identity resolution feeds it for the demo's customers: a
// customer's user id and every device they signed in on share a profile.
var demoOnce struct {
	sync.Once
	w   *duckdb.Warehouse
	err error
}

func demoWarehouse(t *testing.T) *duckdb.Warehouse {
	t.Helper()
	demoOnce.Do(func() {
		ctx := context.Background()
		dir, err := tempDir()
		if err != nil {
			demoOnce.err = err
			return
		}
		w, err := duckdb.Open(ctx, dir+"/demo.duckdb")
		if err != nil {
			demoOnce.err = err
			return
		}
		var batch []touchpoint.Event
		profile := map[[2]string]string{}
		var seq uint64
		flush := func() error {
			seq++
			err := w.Apply(ctx, tplog.Batch{Events: batch, LastSequence: seq})
			batch = batch[:0]
			return err
		}
		_, err = demo.Generate(demo.Config{Seed: 7, Customers: 1500, Days: 120, End: demoEnd}, func(ev touchpoint.Event) error {
			if ev.UserID != "" {
				profile[[2]string{"user_id", ev.UserID}] = "prf_" + ev.UserID
				if ev.AnonymousID != "" {
					profile[[2]string{"anonymous_id", ev.AnonymousID}] = "prf_" + ev.UserID
				}
			}
			batch = append(batch, ev)
			if len(batch) == 20000 {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		b := identity.MapBatch{LastSeq: 1}
		for k, p := range profile {
			b.Identifiers = append(b.Identifiers, identity.MapEntry{Workspace: "default", Kind: k[0], Value: k[1], Row: p, Profile: p})
		}
		if err == nil {
			err = w.ApplyIdentityMap(ctx, b)
		}
		if err == nil {
			err = w.RefreshJourneys(ctx)
		}
		demoOnce.w, demoOnce.err = w, err
	})
	if demoOnce.err != nil {
		t.Fatal(demoOnce.err)
	}
	return demoOnce.w
}

func TestDemoJourneyMap(t *testing.T) {
	w := demoWarehouse(t)
	m, err := w.JourneyMap(context.Background(), touchpoint.JourneyMapRequest{Scope: ws()})
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]touchpoint.JourneyNode{}
	for _, n := range m.Nodes {
		nodes[n.ID] = n
	}
	// Survey answers land on the touchpoints the demo asks about.
	for _, id := range []string{"Order Delivered", "Call Completed"} {
		if nodes[id].CX == nil || nodes[id].CX.Responses == 0 {
			t.Errorf("no CX on %q: %+v", id, nodes[id])
		}
	}
	if cx := nodes["Call Completed"].CX; cx == nil || cx.CSAT == nil {
		t.Errorf("call centre answers are CSAT: %+v", cx)
	}
	// Every delivery is shipped first.
	var shippedDelivered bool
	for _, e := range m.Edges {
		if e.From == "Order Shipped" && (e.To == "Order Delivered" || e.To == "Delivery Delayed") && e.MedianSeconds > 3600 {
			shippedDelivered = true
		}
	}
	if !shippedDelivered {
		t.Error("no Order Shipped → Order Delivered edge with a sensible time")
	}
	if len(m.Variants) == 0 || m.Variants[0].Profiles < 2 {
		t.Errorf("variants %+v", m.Variants)
	}
	// A stage map folds activities into stages in order.
	stages := map[string]string{"Product Viewed": "consideration", "Product Added": "consideration", "Checkout Started": "purchase",
		"Order Completed": "purchase", "Call Started": "support", "Ticket Created": "support", "Survey Responded": "feedback"}
	sm, err := w.JourneyMap(context.Background(), touchpoint.JourneyMapRequest{Scope: ws(), Stages: stages,
		Designed: &touchpoint.DesignedJourney{Edges: []touchpoint.DesignedEdge{{From: "consideration", To: "purchase"}, {From: "purchase", To: "feedback"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.Nodes) != 4 {
		t.Errorf("stage map nodes %+v", sm.Nodes)
	}
	for _, e := range sm.Edges {
		if e.Loop {
			t.Errorf("stage map keeps a loop %s → %s; repeated steps in a stage should fold", e.From, e.To)
		}
	}
	c := sm.Conformance
	if c == nil || c.Fitness <= 0 || c.Fitness >= 1 || c.Designed[0].Count == 0 || len(c.Undesigned) == 0 {
		t.Errorf("conformance %+v", c)
	}
}

func TestDemoDrivers(t *testing.T) {
	w := demoWarehouse(t)
	d, err := w.Drivers(context.Background(), touchpoint.DriversRequest{Scope: ws(), Outcome: "nps"})
	if err != nil {
		t.Fatal(err)
	}
	var delayed *touchpoint.Driver
	for i := range d.Drivers {
		if d.Drivers[i].Factor == "touchpoint:Delivery Delayed" {
			delayed = &d.Drivers[i]
		}
	}
	// The demo's late deliveries make customers unhappy.
	if delayed == nil || delayed.Effect >= 0 || !delayed.Significant {
		b, _ := json.MarshalIndent(d.Drivers[:min(8, len(d.Drivers))], "", " ")
		t.Errorf("late delivery is not a significant negative driver of NPS: %+v\n%s", delayed, b)
	}
	if d.Samples < 100 || d.Mean < 0 || d.Mean > 10 {
		t.Errorf("samples %d mean %.2f", d.Samples, d.Mean)
	}
}

func TestDemoChurnAndCLV(t *testing.T) {
	ctx := context.Background()
	w := demoWarehouse(t)
	c, err := w.Churn(ctx, touchpoint.ChurnRequest{Scope: ws(), HorizonDays: 30, Top: 5})
	if err != nil {
		t.Fatal(err)
	}
	if c.AUC < 0.6 || c.HeldOut < 50 || len(c.AtRisk) != 5 || *c.AtRisk[0].ChurnRisk < *c.AtRisk[4].ChurnRisk {
		t.Errorf("churn model: AUC %.3f on %d held out, at risk %+v", c.AUC, c.HeldOut, c.AtRisk)
	}
	v, err := w.CLV(ctx, touchpoint.CLVRequest{Scope: ws(), Now: &demoEnd})
	if err != nil {
		t.Fatal(err)
	}
	if v.Buyers < 100 || v.PredictedAvg <= 0 || v.Model.R <= 0 || !v.Model.Spend || v.Top[0].PredictedCLV == nil {
		t.Errorf("clv %+v", v)
	}
	// Customers who bought more and more recently are worth more.
	if *v.Top[0].PredictedCLV < v.PredictedAvg {
		t.Errorf("top customer %.2f below the average %.2f", *v.Top[0].PredictedCLV, v.PredictedAvg)
	}

	r, err := w.RefreshScores(ctx, "default", demoEnd)
	if err != nil {
		t.Fatal(err)
	}
	if r.Profiles < 1000 || r.ChurnAUC < 0.6 {
		t.Errorf("refresh %+v", r)
	}
	s, err := w.ProfileScores(ctx, "default", v.Top[0].ProfileID)
	if err != nil {
		t.Fatal(err)
	}
	if s.PredictedCLV == nil || *s.PredictedCLV != *v.Top[0].PredictedCLV || s.Orders == 0 {
		t.Errorf("stored scores %+v, want %+v", s, v.Top[0])
	}
	if _, err := w.ProfileScores(ctx, "default", "prf_nobody"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		t.Errorf("scores of no one: %v", err)
	}
	if !strings.HasPrefix(s.ProfileID, "prf_") {
		t.Errorf("profile id %q", s.ProfileID)
	}
	_ = fmt.Sprint
}
