package statetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/segment"
)

// SegmentBackend is what a state store implements for segments,
// destinations and personas.
type SegmentBackend interface {
	touchpoint.WorkspaceService
	segment.Definitions
	segment.DestinationStore
	segment.PersonaStore
	SegmentCheckpoint(ctx context.Context) (segment.Checkpoint, error)
	CommitSegmentPass(ctx context.Context, p *segment.Pass) error
	LoadSegmentMembers(ctx context.Context, fn func(workspace, segmentID, profileID string) error) error
	SegmentOutbox(ctx context.Context) ([]touchpoint.Event, error)
	ClearSegmentOutbox(ctx context.Context, ids []string) error
	AllSegments(ctx context.Context) ([]*touchpoint.Segment, error)
}

// RunSegments runs the segments part of the suite.
func RunSegments(t *testing.T, open func(t *testing.T) (SegmentBackend, *Clock)) {
	ctx := context.Background()
	setup := func(t *testing.T) (SegmentBackend, *Clock) {
		b, c := open(t)
		if err := b.CreateWorkspace(ctx, &touchpoint.Workspace{ID: "acme", Name: "Acme"}); err != nil {
			t.Fatal(err)
		}
		return b, c
	}
	cond := touchpoint.SegmentCondition{Event: &touchpoint.EventCondition{Type: "track", Name: "Order Completed"}}
	newSegment := func(t *testing.T, b SegmentBackend, name string) *touchpoint.Segment {
		s := &touchpoint.Segment{Workspace: "acme", Name: name, Condition: cond}
		if err := b.CreateSegment(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	t.Run("Definitions", func(t *testing.T) {
		t.Run("OK", func(t *testing.T) {
			b, c := setup(t)
			s := newSegment(t, b, "Buyers")
			if s.ID == "" || s.Version != 1 || !s.CreatedAt.Equal(c.T) {
				t.Fatalf("created %+v", s)
			}
			got, err := b.FindSegment(ctx, "acme", s.ID)
			if err != nil || got.Name != "Buyers" || got.Condition.Event == nil || got.Condition.Event.Name != "Order Completed" {
				t.Fatalf("found %+v, %v", got, err)
			}
			c.T = c.T.Add(time.Hour)
			got.Name, got.Persona, got.Description = "Customers who buy", true, "Ordered once"
			if err := b.UpdateSegment(ctx, got); err != nil {
				t.Fatal(err)
			}
			if got.Version != 2 || !got.UpdatedAt.Equal(c.T) || !got.Persona {
				t.Fatalf("updated %+v", got)
			}
			newSegment(t, b, "Alpha")
			list, err := b.FindSegments(ctx, touchpoint.SegmentFilter{Workspace: "acme"})
			if err != nil || len(list) != 2 || list[0].Name != "Alpha" {
				t.Fatalf("list = %v, %v", list, err)
			}
			yes := true
			if list, _ := b.FindSegments(ctx, touchpoint.SegmentFilter{Workspace: "acme", Persona: &yes}); len(list) != 1 || list[0].ID != s.ID {
				t.Fatalf("personas = %v", list)
			}
			if all, err := b.AllSegments(ctx); err != nil || len(all) != 2 {
				t.Fatalf("all = %v, %v", all, err)
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			b, _ := setup(t)
			newSegment(t, b, "Buyers")
			err := b.CreateSegment(ctx, &touchpoint.Segment{Workspace: "acme", Name: "Buyers", Condition: cond})
			if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != "name" {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			b, _ := setup(t)
			if _, err := b.FindSegment(ctx, "acme", "seg_nope"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("find: %v", err)
			}
			if err := b.UpdateSegment(ctx, &touchpoint.Segment{Workspace: "acme", ID: "seg_nope", Name: "x", Condition: cond}); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("update: %v", err)
			}
			if err := b.DeleteSegment(ctx, "acme", "seg_nope"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("delete: %v", err)
			}
			if err := b.CreateSegment(ctx, &touchpoint.Segment{Workspace: "nope", Name: "x", Condition: cond}); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
				t.Fatalf("create in unknown workspace: %v", err)
			}
		})
	})

	t.Run("Pass", func(t *testing.T) {
		b, c := setup(t)
		s := newSegment(t, b, "Buyers")
		gone := newSegment(t, b, "Deleted meanwhile")
		if err := b.DeleteSegment(ctx, "acme", gone.ID); err != nil {
			t.Fatal(err)
		}
		ev, err := touchpoint.PlatformEvent{ID: "seg:1", Workspace: "acme", ProfileID: "prf_a", Event: touchpoint.EventSegmentEntered, Timestamp: c.T}.Build()
		if err != nil {
			t.Fatal(err)
		}
		pass := &segment.Pass{Checkpoint: segment.Checkpoint{Seq: 10, IdentityChange: 4, Pass: 1, SweptAt: c.T}, At: c.T,
			Changes: []segment.Change{
				{Workspace: "acme", SegmentID: s.ID, ProfileID: "prf_a", Entered: true, Reason: touchpoint.ReasonEvent, EventID: "seg:1", At: c.T},
				{Workspace: "acme", SegmentID: s.ID, ProfileID: "prf_b", Entered: true, Reason: touchpoint.ReasonDefinition, EventID: "seg:2", At: c.T},
				{Workspace: "acme", SegmentID: gone.ID, ProfileID: "prf_a", Entered: true, Reason: touchpoint.ReasonEvent, At: c.T},
			},
			Outbox:    []touchpoint.Event{ev},
			Evaluated: []segment.Evaluated{{Workspace: "acme", SegmentID: s.ID, Version: 1}},
		}
		if err := b.CommitSegmentPass(ctx, pass); err != nil {
			t.Fatal(err)
		}
		c.T = c.T.Add(25 * time.Hour)
		pass = &segment.Pass{Checkpoint: segment.Checkpoint{Seq: 12, IdentityChange: 4, Pass: 2, ChangedPass: 2, SweptAt: c.T}, At: c.T,
			Changes: []segment.Change{{Workspace: "acme", SegmentID: s.ID, ProfileID: "prf_b", Reason: touchpoint.ReasonTime, EventID: "seg:3", At: c.T}}}
		if err := b.CommitSegmentPass(ctx, pass); err != nil {
			t.Fatal(err)
		}
		ck, err := b.SegmentCheckpoint(ctx)
		if err != nil || ck.Seq != 12 || ck.IdentityChange != 4 || ck.Pass != 2 || ck.ChangedPass != 2 || !ck.SweptAt.Equal(c.T) {
			t.Fatalf("checkpoint = %+v, %v", ck, err)
		}
		got, err := b.FindSegment(ctx, "acme", s.ID)
		if err != nil || got.Size != 1 || got.EvaluatedVersion != 1 {
			t.Fatalf("segment = %+v, %v", got, err)
		}
		ids, err := b.SegmentMemberIDs(ctx, "acme", s.ID)
		if err != nil || !slices.Equal(ids, []string{"prf_a"}) {
			t.Fatalf("members = %v, %v", ids, err)
		}
		if in, err := b.IsSegmentMember(ctx, "acme", s.ID, "prf_b"); err != nil || in {
			t.Fatalf("prf_b member = %v, %v", in, err)
		}
		var all []string
		if err := b.LoadSegmentMembers(ctx, func(ws, seg, p string) error { all = append(all, seg+"/"+p); return nil }); err != nil || len(all) != 1 {
			t.Fatalf("all members = %v, %v", all, err)
		}
		hist, err := b.SegmentHistory(ctx, touchpoint.SegmentHistoryFilter{Workspace: "acme", SegmentID: s.ID})
		if err != nil || len(hist) != 3 || hist[0].ProfileID != "prf_b" || hist[0].Change != touchpoint.SegmentExited || hist[0].Reason != touchpoint.ReasonTime {
			t.Fatalf("history = %+v, %v", hist, err)
		}
		if page, _ := b.SegmentHistory(ctx, touchpoint.SegmentHistoryFilter{Workspace: "acme", SegmentID: s.ID, Before: hist[0].ID, Limit: 1}); len(page) != 1 || page[0].ID != hist[1].ID {
			t.Fatalf("next page = %+v", page)
		}
		sizes, err := b.SegmentSizes(ctx, "acme", s.ID, c.T.Add(-48*time.Hour))
		if err != nil || len(sizes) != 2 || sizes[0].Size != 2 || sizes[0].Entered != 2 || sizes[1].Size != 1 || sizes[1].Exited != 1 {
			t.Fatalf("sizes = %+v, %v", sizes, err)
		}
		out, err := b.SegmentOutbox(ctx)
		if err != nil || len(out) != 1 || out[0].ID != "seg:1" || out[0].Event != touchpoint.EventSegmentEntered {
			t.Fatalf("outbox = %+v, %v", out, err)
		}
		if err := b.ClearSegmentOutbox(ctx, []string{"seg:1"}); err != nil {
			t.Fatal(err)
		}
		if out, _ := b.SegmentOutbox(ctx); len(out) != 0 {
			t.Fatalf("outbox after clear = %v", out)
		}
		segs, err := b.ProfileSegments(ctx, "acme", "prf_a")
		if err != nil || len(segs) != 1 || segs[0].ID != s.ID {
			t.Fatalf("profile segments = %v, %v", segs, err)
		}
		page, err := b.SegmentMembersPage(ctx, touchpoint.SegmentMemberFilter{Workspace: "acme", SegmentID: s.ID})
		if err != nil || len(page) != 1 || page[0].ProfileID != "prf_a" {
			t.Fatalf("page = %+v, %v", page, err)
		}
		if _, err := b.SegmentMembersPage(ctx, touchpoint.SegmentMemberFilter{Workspace: "acme", SegmentID: s.ID, Limit: 100000}); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("limit: %v", err)
		}
		// Deleting a segment deletes its members and history.
		if err := b.DeleteSegment(ctx, "acme", s.ID); err != nil {
			t.Fatal(err)
		}
		if h, _ := b.SegmentHistory(ctx, touchpoint.SegmentHistoryFilter{Workspace: "acme", SegmentID: s.ID}); len(h) != 0 {
			t.Fatalf("history after delete = %v", h)
		}
	})

	t.Run("Deliveries", func(t *testing.T) {
		b, c := setup(t)
		s := newSegment(t, b, "Buyers")
		d := &touchpoint.Destination{Workspace: "acme", SegmentID: s.ID, Name: "CRM", URL: "https://crm.example/hook", Secret: "whsec_x"}
		if err := b.CreateDestination(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := b.EnqueueDelivery(ctx, "acme", d.ID, []byte(`{"type":"segment.sync"}`)); err != nil {
			t.Fatal(err)
		}
		// A pass's changes go to every destination of the segment.
		if err := b.CommitSegmentPass(ctx, &segment.Pass{Checkpoint: segment.Checkpoint{Pass: 1}, At: c.T,
			Deliveries: []segment.Delivery{{Workspace: "acme", SegmentID: s.ID, Body: []byte(`{"type":"segment.changed"}`)}}}); err != nil {
			t.Fatal(err)
		}
		due, err := b.DueDestinationDeliveries(ctx, c.T, 10)
		if err != nil || len(due) != 2 || due[0].URL != d.URL || due[0].Secret != "whsec_x" || string(due[1].Body) != `{"type":"segment.changed"}` {
			t.Fatalf("due = %+v, %v", due, err)
		}
		if err := b.DeliveryDone(ctx, due[0].ID, c.T); err != nil {
			t.Fatal(err)
		}
		if err := b.DeliveryRetry(ctx, due[1].ID, c.T.Add(time.Minute), "the receiver answered 503"); err != nil {
			t.Fatal(err)
		}
		if due, _ := b.DueDestinationDeliveries(ctx, c.T, 10); len(due) != 0 {
			t.Fatalf("due before the retry time = %v", due)
		}
		due, _ = b.DueDestinationDeliveries(ctx, c.T.Add(time.Minute), 10)
		if len(due) != 1 || due[0].Attempts != 1 {
			t.Fatalf("due at the retry time = %+v", due)
		}
		if err := b.DeliveryFailed(ctx, due[0].ID, c.T, "gave up"); err != nil {
			t.Fatal(err)
		}
		list, err := b.Destinations(ctx, "acme", s.ID)
		if err != nil || len(list) != 1 || list[0].Delivered != 1 || list[0].Failed != 1 || list[0].Pending != 0 || list[0].LastError != "gave up" || list[0].Secret != "" {
			t.Fatalf("destinations = %+v, %v", list[0], err)
		}
		if err := b.DeleteDestination(ctx, "acme", s.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		if err := b.DeleteDestination(ctx, "acme", s.ID, d.ID); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("second delete: %v", err)
		}
	})

	t.Run("Personas", func(t *testing.T) {
		b, c := setup(t)
		run, err := b.NextPersonaRun(ctx)
		if err != nil || run != 1 {
			t.Fatalf("first run = %d, %v", run, err)
		}
		nps := 42.0
		pr := &touchpoint.PersonaRun{Run: run, Workspace: "acme", At: c.T, K: 2, Scores: map[int]float64{2: 0.6}}
		ps := []*touchpoint.Persona{
			{ID: "prs_1_1", Name: "Big spenders", Description: "…", Size: 2, Share: 2.0 / 3, NPS: &nps, NPSResponses: 2, ChurnSource: "proxy",
				Features: []touchpoint.PersonaFeature{{Name: "orders", Value: 9, Overall: 3, Z: 1.2}}},
			{ID: "prs_1_2", Name: "Browsers", Size: 1, Share: 1.0 / 3},
		}
		if err := b.ReplacePersonas(ctx, pr, ps, map[string][]string{"prs_1_1": {"prf_a", "prf_b"}, "prs_1_2": {"prf_c"}}); err != nil {
			t.Fatal(err)
		}
		list, got, err := b.FindPersonas(ctx, "acme")
		if err != nil || len(list) != 2 || got == nil || got.K != 2 || list[0].Name != "Big spenders" || *list[0].NPS != 42 || list[0].Features[0].Z != 1.2 || list[1].NPS != nil {
			t.Fatalf("personas = %+v, run %+v, %v", list, got, err)
		}
		if last, _ := b.LastPersonaRun(ctx); last != 1 {
			t.Fatalf("last run = %d", last)
		}
		ids, err := b.PersonaMemberIDs(ctx, "acme", "prs_1_1")
		if err != nil || !slices.Equal(ids, []string{"prf_a", "prf_b"}) {
			t.Fatalf("members = %v, %v", ids, err)
		}
		if in, err := b.IsPersonaMember(ctx, "acme", "prs_1_2", "prf_a"); err != nil || in {
			t.Fatalf("member = %v, %v", in, err)
		}
		if _, err := b.PersonaMemberIDs(ctx, "acme", "prs_9_9"); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("unknown persona: %v", err)
		}
		at, ok, err := b.PersonaRunAge(ctx, "acme")
		if err != nil || !ok || !at.Equal(c.T) {
			t.Fatalf("run age = %v %v %v", at, ok, err)
		}
		// A new run replaces the old one whole.
		pr2 := &touchpoint.PersonaRun{Run: 2, Workspace: "acme", At: c.T, K: 2}
		if err := b.ReplacePersonas(ctx, pr2, ps[1:], map[string][]string{"prs_1_2": {"prf_a"}}); err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := b.AllPersonaMembers(ctx, func(string, string, string) error { n++; return nil }); err != nil || n != 1 {
			t.Fatalf("all members = %d, %v", n, err)
		}
	})
}
