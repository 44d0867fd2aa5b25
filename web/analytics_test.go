package web

import (
	"reflect"
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint"
)

func TestParseStages(t *testing.T) {
	got, err := parseStages("Product Viewed = consideration\n\n# a comment\npage:Home=awareness\nA = B = purchase\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Product Viewed": "consideration", "page:Home": "awareness", "A = B": "purchase"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stages %v, want %v", got, want)
	}
	if _, err := parseStages("Order Completed\n"); touchpoint.ErrorField(err) != "stages" || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("a line without a stage: %v", err)
	}
	if got, err := parseStages(" \n"); got != nil || err != nil {
		t.Fatalf("blank stages: %v, %v", got, err)
	}
}

func TestParseDesigned(t *testing.T) {
	got := parseDesigned("page:Home > Product Viewed → Order Completed\nProduct Viewed > Order Completed\n>\nCart Viewed")
	want := []touchpoint.DesignedEdge{{From: "page:Home", To: "Product Viewed"}, {From: "Product Viewed", To: "Order Completed"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("designed %v, want %v", got, want)
	}
}

func TestFormCondition(t *testing.T) {
	for _, c := range []struct {
		op, value string
		want      any
	}{
		{"eq", " pro ", "pro"},
		{"in", "a, b,,c", []any{"a", "b", "c"}},
		{"gt", "42.5", 42.5},
		{"gte", "lots", "lots"}, // left for the analysis to name the field
		{"exists", "ignored", nil},
		{"", "x", "x"},
	} {
		got := formCondition("properties.plan", c.op, c.value)
		if !reflect.DeepEqual(got.Value, c.want) || got.Op == "" {
			t.Errorf("%s %q: %+v, want value %v", c.op, c.value, got, c.want)
		}
	}
	if s := conditionText(touchpoint.Condition{Field: "properties.plan", Op: "in", Value: []any{"pro", "team"}}); s != "plan is one of pro, team" {
		t.Errorf("condition text %q", s)
	}
}

func TestSuggestStages(t *testing.T) {
	got := suggestStages([]string{"page:Home", "Product Viewed", "Order Completed", "Email Delivered", "Order Delivered",
		"Ticket Created", "Survey Responded", "Signed Up", "Subscription Cancelled", "Mystery"})
	want := "page:Home = awareness\nProduct Viewed = consideration\nOrder Completed = purchase\nEmail Delivered = awareness\n" +
		"Order Delivered = fulfilment\nTicket Created = support\nSurvey Responded = advocacy\nSigned Up = onboarding\nSubscription Cancelled = churn"
	if got != want {
		t.Fatalf("suggested:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormats(t *testing.T) {
	for in, want := range map[float64]string{0: "0%", 0.5: "50%", 0.0666: "6.7%", 0.0004: "<0.1%", 1: "100%"} {
		if got := percent(in); got != want {
			t.Errorf("percent(%v) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[float64]string{42: "42 s", 90: "1.5 min", 3 * 3600: "3 h", 5 * 86400: "5 days"} {
		if got := duration(in); got != want {
			t.Errorf("duration(%v) = %q, want %q", in, got, want)
		}
	}
	if got := number(-1234.567, 2); got != "−1,234.57" {
		t.Errorf("number %q", got)
	}
	if heat(0) != 0 || heat(0.01) != 1 || heat(0.55) != 6 || heat(1) != 10 {
		t.Error("heat classes")
	}
}

// FuzzAnalyticsForm feeds the parsers of the analytics forms what a query
// string can carry: they must never panic, and what they accept must be
// a request the analysis can validate without a panic either.
func FuzzAnalyticsForm(f *testing.F) {
	f.Add("Product Viewed = consideration\nOrder Completed = purchase", "page:Home > Product Viewed > Order Completed", "gt", "12")
	f.Add("=\n=x\nx=", ">>>\n→→", "in", ",,")
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, stages, designed, op, value string) {
		st, err := parseStages(stages)
		if err != nil && touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("stages error %v", err)
		}
		req := touchpoint.JourneyMapRequest{Scope: touchpoint.Scope{Workspace: "w"}, Stages: st}
		if edges := parseDesigned(designed); len(edges) > 0 {
			req.Designed = &touchpoint.DesignedJourney{Edges: edges}
		}
		_ = req.Validate()
		c := formCondition("properties.x", op, value)
		_ = c.Validate("where")
		_ = conditionText(c)
	})
}
