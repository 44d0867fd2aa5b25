// Package jsonpath reads values out of decoded JSON by simple paths:
// "ticket.requester.email", "$.reviews[0].rating", "items[-1].text",
// `fields["custom.field"]`. It is what inbound webhook mappings are
// written in, and it reads bodies from outside, so it never panics on any
// input and bounds its work by the path's length.
package jsonpath

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits on a path.
const (
	MaxLen      = 500
	MaxSegments = 32
)

// Path is a parsed path: object keys and array indexes, in order.
type Path struct {
	segs []segment
	src  string
}

type segment struct {
	key   string
	index int
	isIdx bool
}

// String returns the path as it was written.
func (p Path) String() string { return p.src }

// Parse reads a path. "" and "$" name the whole document.
func Parse(s string) (Path, error) {
	p := Path{src: s}
	if len(s) > MaxLen {
		return p, fmt.Errorf("path is longer than %d characters", MaxLen)
	}
	i := 0
	if strings.HasPrefix(s, "$") {
		i = 1
	}
	first := true
	for i < len(s) {
		if len(p.segs) >= MaxSegments {
			return p, fmt.Errorf("path has more than %d parts", MaxSegments)
		}
		switch c := s[i]; {
		case c == '[':
			seg, n, err := bracket(s[i:])
			if err != nil {
				return p, fmt.Errorf("%s at character %d of %q", err.Error(), i+1, s)
			}
			p.segs = append(p.segs, seg)
			i += n
		case c == '.':
			if i+1 >= len(s) || s[i+1] == '.' || s[i+1] == '[' {
				return p, fmt.Errorf("empty name at character %d of %q", i+2, s)
			}
			i++
			fallthrough
		default:
			if !first && c != '.' {
				return p, fmt.Errorf("expected '.' or '[' at character %d of %q", i+1, s)
			}
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				if s[j] == ']' || s[j] == '"' || s[j] == '\'' {
					return p, fmt.Errorf("unexpected %q at character %d of %q (quote such names: [\"a.b\"])", s[j], j+1, s)
				}
				j++
			}
			if j == i {
				return p, fmt.Errorf("empty name at character %d of %q", i+1, s)
			}
			p.segs = append(p.segs, segment{key: s[i:j]})
			i = j
		}
		first = false
	}
	return p, nil
}

// bracket reads [N] or ["key"] / ['key'] at the start of s and returns the
// segment and how many bytes it took.
func bracket(s string) (segment, int, error) {
	if len(s) < 3 {
		return segment{}, 0, fmt.Errorf("unclosed [")
	}
	if q := s[1]; q == '"' || q == '\'' {
		var b strings.Builder
		for i := 2; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\\':
				if i+1 >= len(s) {
					return segment{}, 0, fmt.Errorf("unfinished escape")
				}
				i++
				b.WriteByte(s[i])
			case c == q:
				if i+1 >= len(s) || s[i+1] != ']' {
					return segment{}, 0, fmt.Errorf("expected ] after quoted name")
				}
				return segment{key: b.String()}, i + 2, nil
			default:
				b.WriteByte(c)
			}
		}
		return segment{}, 0, fmt.Errorf("unclosed quote")
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return segment{}, 0, fmt.Errorf("unclosed [")
	}
	n, err := strconv.Atoi(s[1:end])
	if err != nil || n > 1e6 || n < -1e6 {
		return segment{}, 0, fmt.Errorf("index %q is not a whole number (quote keys: [\"key\"])", s[1:end])
	}
	return segment{index: n, isIdx: true}, end + 1, nil
}

// Get follows the path into doc, a value decoded by encoding/json (maps,
// slices, strings, float64 or json.Number, bools, nil). A negative index
// counts from the end. It reports false when the path leads nowhere.
func (p Path) Get(doc any) (any, bool) {
	cur := doc
	for _, s := range p.segs {
		switch v := cur.(type) {
		case map[string]any:
			if s.isIdx {
				// Objects keyed by numbers ({"0": …}) are read by index too.
				s.key = strconv.Itoa(s.index)
			}
			next, ok := v[s.key]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			if !s.isIdx {
				return nil, false
			}
			i := s.index
			if i < 0 {
				i += len(v)
			}
			if i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// String returns the value at the path as text: strings as they are,
// numbers in their shortest form, booleans as true/false. Objects, arrays
// and null are not text.
func (p Path) Text(doc any) (string, bool) { return leafText(p.Get(doc)) }

func leafText(v any, ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "", false
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}
