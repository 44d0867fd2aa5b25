package touchpoint

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	json "github.com/goccy/go-json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Size limits of the collection API, the same as Segment's.
const (
	MaxEventBytes = 32 << 10
	MaxBatchBytes = 500 << 10
)

// Length limits of identifiers and names.
const (
	maxIDLen   = 512
	maxNameLen = 512
)

// Received tells how a call arrived: when, from where and through which
// source. It is what the server adds to what the client sent.
type Received struct {
	At     time.Time
	IP     string
	Source *Source
}

// Call is one Segment API call as a client sent it, before validation.
// Identifier fields accept JSON strings and numbers, as Segment does.
type Call struct {
	Type              string          `json:"type"`
	Event             string          `json:"event"`
	Name              string          `json:"name"`
	Category          string          `json:"category"`
	MessageID         flexString      `json:"messageId"`
	UserID            flexString      `json:"userId"`
	AnonymousID       flexString      `json:"anonymousId"`
	GroupID           flexString      `json:"groupId"`
	PreviousID        flexString      `json:"previousId"`
	Channel           string          `json:"channel"`
	Timestamp         string          `json:"timestamp"`
	OriginalTimestamp string          `json:"originalTimestamp"`
	SentAt            string          `json:"sentAt"`
	Properties        json.RawMessage `json:"properties"`
	Traits            json.RawMessage `json:"traits"`
	Context           json.RawMessage `json:"context"`
	Integrations      json.RawMessage `json:"integrations"`
	WriteKey          string          `json:"writeKey"`
}

// Batch is the body of POST /v1/batch: calls plus what applies to all.
type Batch struct {
	WriteKey string            `json:"writeKey"`
	SentAt   string            `json:"sentAt"`
	Items    []json.RawMessage `json:"batch"`
	// Context applies to every item; an item's own context keys win.
	// Server libraries such as analytics-go send their library info here.
	Context json.RawMessage `json:"context"`
}

// ItemError says why one item of a batch was rejected.
type ItemError struct {
	Index     int    `json:"index"`
	MessageID string `json:"messageId,omitempty"`
	Error     *Error `json:"error"`
}

// ParseCall decodes one call. Returns EINVALID naming the field for
// malformed JSON or a field of the wrong JSON type, ETOOLARGE over 32 KB.
func ParseCall(data []byte) (*Call, error) {
	if len(data) > MaxEventBytes {
		return nil, &Error{Code: ETOOLARGE, Message: fmt.Sprintf("event is %d bytes; the limit is %d bytes (32 KB)", len(data), MaxEventBytes)}
	}
	var c Call
	if err := decodeJSON(data, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// parseItem decodes one item of a batch whose whole body decodeJSON has
// already found valid, so the syntax check is not repeated.
func parseItem(data []byte) (*Call, error) {
	if len(data) > MaxEventBytes {
		return nil, &Error{Code: ETOOLARGE, Message: fmt.Sprintf("event is %d bytes; the limit is %d bytes (32 KB)", len(data), MaxEventBytes)}
	}
	var c Call
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, decodeError(err)
	}
	return &c, nil
}

// ParseBatch decodes the envelope of a batch; items are parsed one by one
// with ParseCall so that one bad item does not reject the others.
// Returns EINVALID for malformed JSON or a missing batch array, ETOOLARGE over 500 KB.
func ParseBatch(data []byte) (*Batch, error) {
	if len(data) > MaxBatchBytes {
		return nil, &Error{Code: ETOOLARGE, Message: fmt.Sprintf("batch is %d bytes; the limit is %d bytes (500 KB)", len(data), MaxBatchBytes)}
	}
	var b Batch
	if err := decodeJSON(data, &b); err != nil {
		return nil, err
	}
	if b.Items == nil {
		return nil, FieldError("batch", "required: an array of calls")
	}
	if err := checkObject("context", b.Context); err != nil {
		return nil, err
	}
	if !utf8.Valid(b.Context) {
		return nil, FieldError("context", "must be valid UTF-8")
	}
	b.Context = dropNull(b.Context)
	return &b, nil
}

// Events validates every item of the batch and returns the valid events and
// the reasons for each rejected item, in input order.
func (b *Batch) Events(r Received) ([]Event, []ItemError) {
	events := make([]Event, 0, len(b.Items))
	var rejected []ItemError
	for i, raw := range b.Items {
		field := fmt.Sprintf("batch[%d]", i)
		c, err := parseItem(raw)
		var ev Event
		if err == nil {
			if c.SentAt == "" {
				c.SentAt = b.SentAt
			}
			if len(b.Context) > 0 {
				c.Context, err = mergeContext(b.Context, c.Context)
			}
		}
		if err == nil {
			ev, err = c.Normalize("", r)
		}
		if err != nil {
			e := prefixField(err, field)
			ie := ItemError{Index: i, Error: e}
			if c != nil {
				ie.MessageID = string(c.MessageID)
			}
			rejected = append(rejected, ie)
			continue
		}
		events = append(events, ev)
	}
	return events, rejected
}

// Normalize validates the call and turns it into an Event bound to r's
// source. typ is the call type the URL named; "" means the body's type field.
// Returns EINVALID naming the first bad field.
func (c *Call) Normalize(typ EventType, r Received) (Event, error) {
	if typ == "" {
		if c.Type == "" {
			return Event{}, FieldError("type", "required: one of track, identify, page, screen, group, alias")
		}
		typ = EventType(c.Type)
		if !typ.Valid() {
			return Event{}, FieldError("type", "unknown call type %q (want track, identify, page, screen, group or alias)", c.Type)
		}
	}
	ev := Event{
		ID:           string(c.MessageID),
		Type:         typ,
		Event:        c.Event,
		Name:         c.Name,
		Category:     c.Category,
		UserID:       strings.TrimSpace(string(c.UserID)),
		AnonymousID:  strings.TrimSpace(string(c.AnonymousID)),
		GroupID:      strings.TrimSpace(string(c.GroupID)),
		PreviousID:   strings.TrimSpace(string(c.PreviousID)),
		ReceivedAt:   r.At.UTC(),
		Properties:   c.Properties,
		Traits:       c.Traits,
		Context:      c.Context,
		Integrations: c.Integrations,
	}
	if r.Source != nil {
		ev.Workspace = r.Source.Workspace
		ev.SourceID = r.Source.ID
	}
	if err := c.validate(&ev); err != nil {
		return Event{}, err
	}
	if err := c.times(&ev); err != nil {
		return Event{}, err
	}
	ctx, err := parseContext(ev.Context)
	if err != nil {
		return Event{}, err
	}
	if ctx.IP == "" && r.IP != "" {
		if ctx.hasIP {
			ev.Context = replaceContextField(ev.Context, "ip", r.IP)
		} else {
			ev.Context = withContextField(ev.Context, "ip", r.IP)
		}
	}
	ev.Channel = deriveChannel(ctx, c.Channel, r.Source)
	if ev.ID == "" {
		ev.ID = NewEventID()
	}
	return ev, nil
}

// DefaultMessageID sets the call's messageId if it has none, so that
// callers can derive stable ids (an imported row's content, say).
func (c *Call) DefaultMessageID(id string) {
	if c.MessageID == "" {
		c.MessageID = flexString(id)
	}
}

// NewEventID returns a fresh, time-ordered event id for calls that carry no
// messageId.
func NewEventID() string {
	return "tp-" + uuid.Must(uuid.NewV7()).String()
}

func (c *Call) validate(ev *Event) error {
	for _, f := range []struct{ name, value string }{
		{"messageId", ev.ID}, {"userId", ev.UserID}, {"anonymousId", ev.AnonymousID},
		{"groupId", ev.GroupID}, {"previousId", ev.PreviousID},
	} {
		if len(f.value) > maxIDLen {
			return FieldError(f.name, "must be at most %d characters", maxIDLen)
		}
		if !utf8.ValidString(f.value) {
			return FieldError(f.name, "must be valid UTF-8")
		}
	}
	for _, f := range []struct{ name, value string }{{"event", ev.Event}, {"name", ev.Name}, {"category", ev.Category}} {
		if len(f.value) > maxNameLen {
			return FieldError(f.name, "must be at most %d characters", maxNameLen)
		}
		if !utf8.ValidString(f.value) {
			return FieldError(f.name, "must be valid UTF-8")
		}
	}
	for _, f := range []struct {
		name  string
		value json.RawMessage
	}{{"properties", ev.Properties}, {"traits", ev.Traits}, {"context", ev.Context}, {"integrations", ev.Integrations}} {
		if err := checkObject(f.name, f.value); err != nil {
			return err
		}
		// Stores downstream refuse invalid UTF-8; refusing it here keeps a
		// bad event from ever reaching the log.
		if !utf8.Valid(f.value) {
			return FieldError(f.name, "must be valid UTF-8")
		}
	}
	// Drop JSON nulls so that stored events hold either an object or nothing.
	ev.Properties, ev.Traits, ev.Context, ev.Integrations = dropNull(ev.Properties), dropNull(ev.Traits), dropNull(ev.Context), dropNull(ev.Integrations)

	switch ev.Type {
	case TypeAlias:
		if ev.UserID == "" {
			return FieldError("userId", "required for alias: the new identifier")
		}
		if ev.PreviousID == "" {
			return FieldError("previousId", "required for alias: the identifier being linked")
		}
		return nil
	case TypeTrack:
		if strings.TrimSpace(ev.Event) == "" {
			return FieldError("event", "required for track: the name of the action")
		}
	case TypeGroup:
		if ev.GroupID == "" {
			return FieldError("groupId", "required for group")
		}
	}
	if ev.UserID == "" && ev.AnonymousID == "" {
		return FieldError("userId", "userId or anonymousId is required")
	}
	return nil
}

// times applies Segment's time rules. The client's own clock is trusted
// only for intervals: when it sent sentAt, the event happened
// sentAt - timestamp before the server received it.
func (c *Call) times(ev *Event) error {
	claimedField, claimedValue := "timestamp", c.Timestamp
	if claimedValue == "" {
		claimedField, claimedValue = "originalTimestamp", c.OriginalTimestamp
	}
	var claimed, sent time.Time
	var err error
	if claimedValue != "" {
		if claimed, err = ParseTime(claimedField, claimedValue); err != nil {
			return err
		}
	}
	if c.SentAt != "" {
		if sent, err = ParseTime("sentAt", c.SentAt); err != nil {
			return err
		}
	}
	ev.OriginalTimestamp, ev.SentAt = claimed, sent
	switch {
	case !claimed.IsZero() && !sent.IsZero():
		ev.Timestamp = ev.ReceivedAt.Add(-sent.Sub(claimed))
	case !claimed.IsZero():
		ev.Timestamp = claimed
	default:
		ev.Timestamp = ev.ReceivedAt
	}
	return nil
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// ParseTime parses an ISO 8601 time the way SDKs write them. Times without
// a zone are UTC. Returns EINVALID naming field.
func ParseTime(field, s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1970 || t.Year() > 2200 {
				return time.Time{}, FieldError(field, "time %q is out of range (years 1970 to 2200)", s)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, FieldError(field, "invalid time %q (want ISO 8601, e.g. 2026-11-22T10:00:00.000Z)", truncate(s, 64))
}

// wireContext is the part of a call's context Touchpoint reads itself; the
// whole context is kept as sent.
type wireContext struct {
	Channel string `json:"channel"`
	IP      string `json:"ip"`
	hasIP   bool
	Library struct {
		Name string `json:"name"`
	} `json:"library"`
}

func parseContext(raw json.RawMessage) (wireContext, error) {
	var wc wireContext
	if len(raw) == 0 {
		return wc, nil
	}
	// Unknown shapes of these fields are kept but not used.
	var loose struct {
		Channel any `json:"channel"`
		IP      any `json:"ip"`
		Library any `json:"library"`
	}
	if err := json.Unmarshal(raw, &loose); err != nil {
		return wc, FieldError("context", "must be a JSON object")
	}
	wc.Channel, _ = loose.Channel.(string)
	wc.IP, _ = loose.IP.(string)
	wc.hasIP = loose.IP != nil || bytes.Contains(raw, []byte(`"ip"`))
	if lib, ok := loose.Library.(map[string]any); ok {
		wc.Library.Name, _ = lib["name"].(string)
	}
	return wc, nil
}

// deriveChannel decides the channel of an event: what the call says, else
// what its source is for, else what its library suggests.
func deriveChannel(ctx wireContext, topLevel string, src *Source) string {
	if ch := normalizeChannel(ctx.Channel); ch != "" {
		return ch
	}
	if ch := normalizeChannel(topLevel); ch != "" {
		return ch
	}
	srcChannel := ChannelServer
	if src != nil {
		srcChannel = src.Channel()
	}
	if srcChannel != ChannelServer && srcChannel != ChannelImport {
		return srcChannel
	}
	lib := strings.ToLower(ctx.Library.Name)
	switch {
	case strings.Contains(lib, "analytics.js"), strings.Contains(lib, "analytics-next"), strings.Contains(lib, "javascript"), strings.Contains(lib, "rudder-js"):
		return ChannelWeb
	case strings.Contains(lib, "ios"), strings.Contains(lib, "android"), strings.Contains(lib, "react-native"),
		strings.Contains(lib, "flutter"), strings.Contains(lib, "kotlin"), strings.Contains(lib, "swift"):
		return ChannelApp
	}
	return srcChannel
}

func normalizeChannel(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "":
		return ""
	case "browser", "client", "website":
		return ChannelWeb
	case "mobile", "ios", "android":
		return ChannelApp
	case "sources", "cloud", "backend":
		return ChannelServer
	case "callcenter", "call-center", "call centre", "call_centre", "phone":
		return ChannelCallCenter
	case "pos", "retail", "in-store", "in_store":
		return ChannelStore
	}
	if len(s) > 64 {
		return ""
	}
	return s
}

// flexString accepts a JSON string or number, as SDKs send ids either way.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || string(b) == "null" {
		*f = ""
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if _, err := strconv.ParseFloat(string(b), 64); err != nil {
			return errFlexString
		}
		*f = flexString(b)
		return nil
	}
	return errFlexString
}

var errFlexString = errors.New("must be a string or a number")

// decodeJSON unmarshals data into v, turning decoder errors into EINVALID
// errors that name the offending field.
//
// go-json decodes valid documents several times faster than encoding/json
// but is not safe on malformed input, so the standard library checks the
// syntax first and explains any syntax error.
func decodeJSON(data []byte, v any) error {
	var err error
	if stdjson.Valid(data) {
		err = json.Unmarshal(data, v)
	} else {
		err = stdjson.Unmarshal(data, v)
	}
	if err == nil {
		return nil
	}
	return decodeError(err)
}

// decodeError explains a decoder error of either JSON package.
func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var stdTypeErr *stdjson.UnmarshalTypeError
	var synErr *stdjson.SyntaxError
	if errors.As(err, &stdTypeErr) {
		typeErr = &json.UnmarshalTypeError{Value: stdTypeErr.Value, Type: stdTypeErr.Type, Field: stdTypeErr.Field}
	}
	switch {
	case (typeErr != nil || errors.As(err, &typeErr)) && typeErr.Field != "":
		return FieldError(jsonFieldName(typeErr.Field), "must be %s, not %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case typeErr != nil:
		return Errorf(EINVALID, "body must be a JSON object, not %s", typeErr.Value)
	case errors.As(err, &synErr):
		return Errorf(EINVALID, "malformed JSON at byte %d: %s", synErr.Offset, strings.TrimPrefix(synErr.Error(), "json: "))
	}
	if strings.Contains(err.Error(), "must be a string or a number") {
		return Errorf(EINVALID, "an identifier must be a string or a number: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return Errorf(EINVALID, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonNames maps the Go field names of the wire types to their JSON names,
// so that decoder errors name fields the way the caller wrote them.
var jsonNames = func() map[string]string {
	m := map[string]string{}
	for _, t := range []reflect.Type{reflect.TypeFor[Call](), reflect.TypeFor[Batch]()} {
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			m[f.Name] = name
		}
	}
	return m
}()

func jsonFieldName(field string) string {
	if n, ok := jsonNames[field]; ok {
		return n
	}
	return field
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a " + goKind
}

func checkObject(field string, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || raw[0] == '{' {
		return nil
	}
	return FieldError(field, "must be a JSON object")
}

func dropNull(raw json.RawMessage) json.RawMessage {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" || string(t) == "{}" {
		return nil
	}
	return t
}

// withContextField adds key:value to a context object that lacks it.
func withContextField(raw json.RawMessage, key, value string) json.RawMessage {
	kv, _ := json.Marshal(map[string]string{key: value})
	body := bytes.TrimSpace(raw)
	if len(body) < 2 || len(bytes.TrimSpace(body[1:len(body)-1])) == 0 {
		return kv
	}
	out := make([]byte, 0, len(raw)+len(kv))
	out = append(out, kv[:len(kv)-1]...)
	out = append(out, ',')
	return append(out, body[1:]...)
}

// mergeContext returns item's context with the keys of the batch's context
// it lacks.
func mergeContext(batch, item json.RawMessage) (json.RawMessage, error) {
	item = dropNull(item)
	if len(item) == 0 {
		return batch, nil
	}
	if err := checkObject("context", item); err != nil {
		return nil, err
	}
	var bm, im map[string]json.RawMessage
	if err := json.Unmarshal(batch, &bm); err != nil {
		return nil, FieldError("context", "must be a JSON object")
	}
	if err := json.Unmarshal(item, &im); err != nil {
		return nil, FieldError("context", "must be a JSON object")
	}
	for k, v := range bm {
		if _, ok := im[k]; !ok {
			im[k] = v
		}
	}
	out, err := stdjson.Marshal(im)
	if err != nil {
		return nil, FieldError("context", "cannot be merged with the batch's context")
	}
	return out, nil
}

// replaceContextField sets key in a context that has it with an empty or
// null value (some SDKs send "ip":""), keeping every other key.
func replaceContextField(raw json.RawMessage, key, value string) json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return raw
	}
	v, _ := json.Marshal(value)
	m[key] = v
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}

func prefixField(err error, prefix string) *Error {
	var e *Error
	if !errors.As(err, &e) {
		return &Error{Code: EINTERNAL, Message: "internal error"}
	}
	field := prefix
	if e.Field != "" {
		field = prefix + "." + e.Field
	}
	msg := e.Message
	if e.Field != "" && strings.HasPrefix(msg, e.Field+":") {
		msg = field + msg[len(e.Field):]
	} else {
		msg = field + ": " + msg
	}
	return &Error{Code: e.Code, Field: field, Message: msg}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
