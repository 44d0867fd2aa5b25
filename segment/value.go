package segment

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	gojson "github.com/goccy/go-json"
	"github.com/touchpoint-cx/touchpoint"
)

// jkind is the JSON type of a value a condition reads.
type jkind uint8

const (
	jMissing jkind = iota
	jNull
	jString
	jNumber
	jBool
	jOther // objects and arrays
)

// jvalue is a trait, property or account trait as a comparison sees it.
type jvalue struct {
	kind jkind
	s    string
	f    float64
	b    bool
}

// parseJSON reads one JSON value; an empty input is a missing value.
func parseJSON(raw []byte) jvalue {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return jvalue{}
	}
	switch raw[0] {
	case 'n':
		return jvalue{kind: jNull}
	case 't', 'f':
		return jvalue{kind: jBool, b: raw[0] == 't'}
	case '"':
		var s string
		if gojson.Unmarshal(raw, &s) != nil {
			return jvalue{kind: jOther}
		}
		return jvalue{kind: jString, s: s}
	case '{', '[':
		return jvalue{kind: jOther}
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return jvalue{kind: jOther}
	}
	return jvalue{kind: jNumber, f: f}
}

// number is the value as a number: a JSON number, or a string that reads
// as one (" 42 " counts, as it does for the analytics store's casts).
func (v jvalue) number() (float64, bool) {
	switch v.kind {
	case jNumber:
		return v.f, true
	case jString:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// holds applies a comparison; see touchpoint.ValueCondition for what each
// operator means for missing values and types.
func (v jvalue) holds(c Comparison) bool {
	present := v.kind != jMissing && v.kind != jNull
	switch c.Op {
	case touchpoint.OpExists:
		return present
	case touchpoint.OpNotExists:
		return !present
	case touchpoint.OpEq:
		return v.equal(c.Value)
	case touchpoint.OpNeq:
		return !v.equal(c.Value)
	case touchpoint.OpGt, touchpoint.OpGte, touchpoint.OpLt, touchpoint.OpLte:
		f, ok := v.number()
		if !ok {
			return false
		}
		switch c.Op {
		case touchpoint.OpGt:
			return f > c.Value.Num
		case touchpoint.OpGte:
			return f >= c.Value.Num
		case touchpoint.OpLt:
			return f < c.Value.Num
		}
		return f <= c.Value.Num
	case touchpoint.OpContains:
		return v.kind == jString && strings.Contains(strings.ToLower(v.s), strings.ToLower(c.Value.Str))
	case touchpoint.OpIn:
		if len(c.Value.Nums) > 0 {
			f, ok := v.number()
			return ok && slices.Contains(c.Value.Nums, f)
		}
		return v.kind == jString && slices.Contains(c.Value.Strs, v.s)
	}
	return false
}

func (v jvalue) equal(want touchpoint.Value) bool {
	switch want.Kind {
	case touchpoint.ValueString:
		return v.kind == jString && v.s == want.Str
	case touchpoint.ValueNumber:
		f, ok := v.number()
		return ok && f == want.Num
	case touchpoint.ValueBool:
		return v.kind == jBool && v.b == want.Bool
	}
	return false
}

// props are an event's properties, parsed once and only when a fact
// needs them.
type props struct {
	raw    json.RawMessage
	parsed bool
	m      map[string]json.RawMessage
}

func (p *props) get(key string) jvalue {
	if !p.parsed {
		p.parsed = true
		if len(p.raw) > 0 {
			_ = gojson.Unmarshal(p.raw, &p.m)
		}
	}
	raw, ok := p.m[key]
	if !ok {
		return jvalue{}
	}
	return parseJSON(raw)
}
