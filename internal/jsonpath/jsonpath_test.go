package jsonpath_test

import (
	"encoding/json"
	"testing"

	"github.com/touchpoint-cx/touchpoint/internal/jsonpath"
)

const doc = `{"ticket":{"id":35436,"requester":{"email":"ana@example.com"},"tags":["late","refund"],
"custom.fields":{"x":1},"satisfaction":{"score":"good"}},"items":[{"t":"a"},{"t":"b"}],"0":"zero","ok":true,"n":null}`

func TestGet(t *testing.T) {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, want string
		ok         bool
	}{
		{"ticket.requester.email", "ana@example.com", true},
		{"$.ticket.requester.email", "ana@example.com", true},
		{"ticket.id", "35436", true},
		{"ticket.tags[1]", "refund", true},
		{"ticket.tags[-1]", "refund", true},
		{"ticket.tags[2]", "", false},
		{`ticket["custom.fields"].x`, "1", true},
		{`ticket['custom.fields']["x"]`, "1", true},
		{"items[0].t", "a", true},
		{"items[-2].t", "a", true},
		{"[0]", "zero", true},
		{"ok", "true", true},
		{"n", "", false},
		{"ticket", "", false},
		{"ticket.nope", "", false},
		{"items.t", "", false},
	} {
		p, err := jsonpath.Parse(tt.path)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		got, ok := p.Text(v)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, p := range []string{"a..b", "a.", "a[", "a[x]", `a["b]`, `a["b"`, "a]b", "a[0]b", `a"b`, "a.[0]"} {
		if _, err := jsonpath.Parse(p); err == nil {
			t.Errorf("%q parsed", p)
		}
	}
}

// FuzzPath checks that no path and no body makes the parser or the reader
// panic, and that what parses reads back the same path.
func FuzzPath(f *testing.F) {
	for _, p := range []string{"ticket.requester.email", `$.a["b.c"][0]`, "items[-1].t", "[0]", "a..b", `a['x\'y']`} {
		f.Add(p, doc)
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		p, err := jsonpath.Parse(path)
		if err != nil {
			return
		}
		if p.String() != path {
			t.Fatalf("String() = %q, want %q", p.String(), path)
		}
		var v any
		if json.Unmarshal([]byte(body), &v) == nil {
			p.Get(v)
			p.Text(v)
		}
	})
}
