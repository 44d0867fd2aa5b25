package importer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Mapping maps targets (userId, timestamp, properties.revenue …) to CSV
// column names.
type Mapping map[string]string

var topTargets = map[string]string{
	"type": "type", "event": "event", "name": "name", "category": "category",
	"messageid": "messageId", "userid": "userId", "anonymousid": "anonymousId",
	"groupid": "groupId", "previousid": "previousId", "timestamp": "timestamp",
}

// canonicalTarget returns the canonical spelling of a target, or "" if it
// is not one: top-level fields in any case, with or without _ or -, and
// properties.*, traits.*, context.* paths.
func canonicalTarget(t string) string {
	t = strings.TrimSpace(t)
	if c, ok := topTargets[strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(t))]; ok {
		return c
	}
	prefix, rest, ok := strings.Cut(t, ".")
	if !ok || rest == "" || strings.Contains(rest, "..") || strings.HasSuffix(rest, ".") {
		return ""
	}
	switch strings.ToLower(prefix) {
	case "properties", "traits", "context":
		return strings.ToLower(prefix) + "." + rest
	}
	return ""
}

// ParseMapping reads "target=column,target=column". Returns EINVALID
// naming the bad part.
func ParseMapping(spec string) (Mapping, error) {
	m := Mapping{}
	for _, part := range strings.Split(spec, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		target, column, ok := strings.Cut(part, "=")
		column = strings.TrimSpace(column)
		if !ok || column == "" {
			return nil, touchpoint.FieldError("map", "%q is not target=column", part)
		}
		t := canonicalTarget(target)
		if t == "" {
			return nil, touchpoint.FieldError("map", "unknown target %q (want type, event, name, category, messageId, userId, anonymousId, groupId, previousId, timestamp, properties.<key>, traits.<key> or context.<key>)", strings.TrimSpace(target))
		}
		if _, dup := m[t]; dup {
			return nil, touchpoint.FieldError("map", "target %q is mapped twice", t)
		}
		m[t] = column
	}
	return m, nil
}

// csvPlan is the mapping resolved against the header: a target per column.
type csvPlan struct {
	header  []string
	targets []string // "" = unmapped
	// columnOf names each target's column, for error messages.
	columnOf map[string]string
}

func (r *run) plan(header []string) (*csvPlan, error) {
	p := &csvPlan{header: header, targets: make([]string, len(header)), columnOf: map[string]string{}}
	index := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, touchpoint.FieldError("header", "column %d has no name", i+1)
		}
		if _, dup := index[h]; dup {
			return nil, touchpoint.FieldError("header", "column %q appears twice", h)
		}
		index[h] = i
		header[i] = h
	}
	for target, column := range r.opts.Mapping {
		i, ok := index[column]
		if !ok {
			return nil, touchpoint.FieldError("map", "column %q (for %s) is not in the header: %s", column, target, strings.Join(header, ", "))
		}
		p.targets[i] = target
		p.columnOf[target] = column
	}
	// Columns named like a target map themselves unless something else
	// was mapped to that target explicitly.
	for i, h := range header {
		if p.targets[i] != "" {
			continue
		}
		if t := canonicalTarget(h); t != "" {
			if _, taken := p.columnOf[t]; !taken {
				p.targets[i] = t
				p.columnOf[t] = h
			}
		}
	}
	return p, nil
}

func (r *run) csv(ctx context.Context, in io.Reader) error {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if r.opts.Delimiter != 0 {
		cr.Comma = r.opts.Delimiter
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return touchpoint.FieldError("header", "the file is empty: a CSV import needs a header row")
	} else if err != nil {
		return touchpoint.FieldError("header", "cannot read the header row: %s", err.Error())
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	plan, err := r.plan(append([]string(nil), header...))
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			r.reject(pe.StartLine, touchpoint.Errorf(touchpoint.EINVALID, "malformed CSV: %s", pe.Err.Error()))
			continue
		} else if err != nil {
			return fmt.Errorf("read csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(plan.header) {
			r.reject(line, touchpoint.Errorf(touchpoint.EINVALID, "row has %d fields, the header has %d", len(rec), len(plan.header)))
			continue
		}
		if err := r.csvRow(ctx, line, plan, rec); err != nil {
			return err
		}
	}
}

func (r *run) csvRow(ctx context.Context, line int, p *csvPlan, rec []string) error {
	call := map[string]any{}
	typ := r.opts.Type
	if typ == "" {
		typ = touchpoint.TypeTrack
	}
	for i, t := range p.targets {
		if t == "type" && rec[i] != "" {
			typ = touchpoint.EventType(strings.ToLower(strings.TrimSpace(rec[i])))
		}
	}
	unmapped := r.opts.Unmapped
	if unmapped == "" {
		unmapped = "properties"
		if typ == touchpoint.TypeIdentify || typ == touchpoint.TypeGroup {
			unmapped = "traits"
		}
	}
	for i, t := range p.targets {
		v := rec[i]
		if v == "" {
			continue
		}
		switch {
		case t == "type":
		case t == "timestamp":
			ts, err := r.parseTime(v)
			if err != nil {
				r.reject(line, &touchpoint.Error{Code: touchpoint.EINVALID, Field: p.header[i], Message: fmt.Sprintf("column %q (timestamp): %s", p.header[i], err.Error())})
				return nil
			}
			call["timestamp"] = ts.Format(time.RFC3339Nano)
		case t == "":
			if unmapped != "drop" && typ != touchpoint.TypeAlias {
				setPath(call, []string{unmapped, p.header[i]}, typed(v))
			}
		case strings.Contains(t, "."):
			setPath(call, strings.Split(t, "."), typed(v))
		default:
			call[t] = v
		}
	}
	raw, err := json.Marshal(call)
	if err != nil {
		return fmt.Errorf("encode row %d: %w", line, err)
	}
	c, err := touchpoint.ParseCall(raw)
	var ev touchpoint.Event
	if err == nil {
		c.DefaultMessageID(contentID(r.opts.Source, []byte(strings.Join(rec, "\x1f"))))
		ev, err = c.Normalize(typ, r.received())
	}
	if err != nil {
		if f := touchpoint.ErrorField(err); f != "" {
			if col, ok := p.columnOf[f]; ok {
				err = &touchpoint.Error{Code: touchpoint.ErrorCode(err), Field: col, Message: fmt.Sprintf("column %q (%s", col, strings.Replace(touchpoint.ErrorMessage(err), ":", "):", 1))}
			}
		}
		r.reject(line, err)
		return nil
	}
	return r.accept(ctx, ev)
}

// parseTime reads a timestamp cell: the configured layout, ISO 8601, or
// unix seconds (10 digits) or milliseconds (13 digits).
func (r *run) parseTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if r.opts.TimeFormat != "" {
		if t, err := time.Parse(r.opts.TimeFormat, v); err == nil {
			return t.UTC(), nil
		}
	}
	if allDigits(v) && (len(v) == 10 || len(v) == 13) {
		n, _ := strconv.ParseInt(v, 10, 64)
		if len(v) == 13 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := touchpoint.ParseTime("timestamp", v)
	if err != nil {
		msg := fmt.Sprintf("invalid time %q (want ISO 8601, unix seconds or milliseconds", v)
		if r.opts.TimeFormat != "" {
			msg += ", or the layout " + r.opts.TimeFormat
		}
		return time.Time{}, errors.New(msg + ")")
	}
	return t, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

var numberPattern = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,15})(\.[0-9]+)?$`)

// typed turns a cell into a JSON value: numbers that read back the same
// and booleans keep their type; everything else (zip codes with leading
// zeros, ids) stays a string.
func typed(v string) any {
	switch v {
	case "true":
		return true
	case "false":
		return false
	}
	if numberPattern.MatchString(v) {
		return json.Number(v)
	}
	return v
}

// setPath sets a nested key, creating objects on the way. A value already
// at a prefix of the path is replaced by an object.
func setPath(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}
