package touchpoint_test

import (
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

func TestParseWindow(t *testing.T) {
	for in, want := range map[string]time.Duration{"30m": 30 * time.Minute, "12h": 12 * time.Hour, "7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "90s": 90 * time.Second} {
		if got, err := touchpoint.ParseWindow("window", in); err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "7", "d", "7 days", "-1d", "0d", "1y", "99999d"} {
		if _, err := touchpoint.ParseWindow("window", in); touchpoint.ErrorField(err) != "window" {
			t.Errorf("%q accepted: %v", in, err)
		}
	}
}

func TestConditionValidate(t *testing.T) {
	ok := []touchpoint.Condition{
		{Field: "channel", Value: "web"},
		{Field: "properties.revenue", Op: "gt", Value: 50.0},
		{Field: "context.campaign.name", Op: "in", Value: []any{"a", "b"}},
		{Field: "trait.plan", Op: "exists"},
	}
	for _, c := range ok {
		if err := c.Validate("c"); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := map[string]touchpoint.Condition{
		"c.field": {Field: "properties.a'b", Value: "x"},
		"c.op":    {Field: "channel", Op: "like", Value: "x"},
		"c.value": {Field: "properties.revenue", Op: "gt", Value: "fifty"},
	}
	for field, c := range bad {
		if err := c.Validate("c"); touchpoint.ErrorField(err) != field {
			t.Errorf("%+v: %v, want an error on %s", c, err, field)
		}
	}
}

// FuzzSplitField checks that whatever a request names as a field, it is
// either refused or becomes a JSON path that cannot break out of its quotes.
func FuzzSplitField(f *testing.F) {
	for _, s := range []string{"channel", "properties.revenue", "context.campaign.name", "trait.plan", `properties.a"b`, "properties.", "x.y.z", "trait.a b-c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := touchpoint.SplitField("field", s)
		if err != nil {
			if touchpoint.ErrorField(err) != "field" {
				t.Fatalf("%q: error without the field: %v", s, err)
			}
			return
		}
		for _, p := range ref.Path {
			if strings.ContainsAny(p, `"'\.`) || p == "" {
				t.Fatalf("%q: unsafe path segment %q", s, p)
			}
		}
	})
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"7d", "30m", "1w", "", "9999999999d", "-3h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := touchpoint.ParseWindow("window", s)
		if err == nil && (d <= 0 || d > 3660*7*24*time.Hour) {
			t.Fatalf("%q parsed to %v", s, d)
		}
	})
}
