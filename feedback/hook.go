package feedback

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/jsonpath"
)

// Limits on what one hook call may carry.
const (
	MaxHookBody  = 1 << 20
	MaxHookItems = 1000
	// hookClockSkew bounds how old a signed timestamp may be, against replays.
	hookClockSkew = 5 * time.Minute
)

// Authenticate checks that a call comes from the hook's sender. Returns
// EUNAUTHORIZED saying what is wrong (never what the secret is).
func Authenticate(h *touchpoint.FeedbackHook, header http.Header, body []byte, now time.Time) error {
	if h.RevokedAt != nil {
		return touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "hook %q was revoked", h.Name)
	}
	got := strings.TrimSpace(header.Get(h.Auth.Header))
	switch h.Auth.Scheme {
	case touchpoint.HookToken:
		if v, ok := strings.CutPrefix(got, "Bearer "); ok {
			got = strings.TrimSpace(v)
		}
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(h.Secret)) != 1 {
			return touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "send the hook's secret in %s", h.Auth.Header)
		}
		return nil
	case touchpoint.HookHMAC:
		sig, ok := strings.CutPrefix(got, h.Auth.Prefix)
		if got == "" || !ok {
			return touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "send the body's HMAC-SHA256 in %s", h.Auth.Header)
		}
		var raw []byte
		var err error
		if h.Auth.Encoding == "base64" {
			raw, err = base64.StdEncoding.DecodeString(sig)
		} else {
			raw, err = hex.DecodeString(sig)
		}
		if err != nil {
			return touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "signature in %s is not %s", h.Auth.Header, h.Auth.Encoding)
		}
		m := hmac.New(sha256.New, []byte(h.Secret))
		if h.Auth.TimestampHeader != "" {
			ts := header.Get(h.Auth.TimestampHeader)
			if ts == "" {
				return touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "%s is required", h.Auth.TimestampHeader)
			}
			if at, ok := parseTimestamp(ts); ok && (now.Sub(at) > hookClockSkew || at.Sub(now) > hookClockSkew) {
				return touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "%s is more than 5 minutes from now", h.Auth.TimestampHeader)
			}
			m.Write([]byte(ts))
		}
		m.Write(body)
		if !hmac.Equal(raw, m.Sum(nil)) {
			return touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "signature does not match the body")
		}
		return nil
	}
	return touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "hook %q has no usable authentication", h.Name)
}

// parseTimestamp reads unix seconds, unix milliseconds or RFC 3339.
func parseTimestamp(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > 1e12 {
			return time.UnixMilli(n).UTC(), true
		}
		return time.Unix(n, 0).UTC(), true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// compiled is a mapping with its paths parsed.
type compiled struct {
	m                                                                  touchpoint.FeedbackMapping
	each, extID, title, score, email, user, phone, cust, at, lang, tch *jsonpath.Path
	text                                                               []jsonpath.Path
	props                                                              map[string]jsonpath.Path
}

func compile(m touchpoint.FeedbackMapping) (*compiled, error) {
	c := &compiled{m: m, props: map[string]jsonpath.Path{}}
	one := func(field, s string) (*jsonpath.Path, error) {
		if s == "" {
			return nil, nil
		}
		p, err := jsonpath.Parse(s)
		if err != nil {
			return nil, touchpoint.FieldError("mapping."+field, "%s", err.Error())
		}
		return &p, nil
	}
	var err error
	for _, f := range []struct {
		dst  **jsonpath.Path
		name string
		path string
	}{{&c.each, "each", m.Each}, {&c.extID, "external_id", m.ExternalID}, {&c.title, "title", m.Title}, {&c.score, "score", m.Score},
		{&c.email, "email", m.Email}, {&c.user, "user_id", m.UserID}, {&c.phone, "phone", m.Phone}, {&c.cust, "customer_id", m.CustomerID},
		{&c.at, "created_at", m.CreatedAt}, {&c.lang, "language", m.Language}, {&c.tch, "touchpoint", m.Touchpoint}} {
		if *f.dst, err = one(f.name, f.path); err != nil {
			return nil, err
		}
	}
	for i, t := range m.Text {
		p, err := one(fmt.Sprintf("text[%d]", i), t)
		if err != nil {
			return nil, err
		}
		c.text = append(c.text, *p)
	}
	for k, v := range m.Properties {
		p, err := one("properties."+k, v)
		if err != nil {
			return nil, err
		}
		c.props[k] = *p
	}
	return c, nil
}

// HookEvents reads a hook call's JSON body through the hook's mapping and
// returns one Feedback Received event per piece of feedback, and the items
// it could not use with the reason. Returns EINVALID when the body is not
// JSON or the mapping's array is missing.
//
// Each event's messageId is derived from the hook and the item's external
// id (or its content), so a sender retrying a call adds nothing.
func HookEvents(h *touchpoint.FeedbackHook, body []byte, now time.Time) ([]touchpoint.Event, []touchpoint.ItemError, error) {
	if len(body) > MaxHookBody {
		return nil, nil, touchpoint.Errorf(touchpoint.ETOOLARGE, "body is larger than %d bytes", MaxHookBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, touchpoint.Errorf(touchpoint.EINVALID, "body is not JSON: %s", err.Error())
	}
	c, err := compile(h.Mapping)
	if err != nil {
		return nil, nil, err
	}
	items := []any{doc}
	if c.each != nil {
		v, ok := c.each.Get(doc)
		arr, isArr := v.([]any)
		if !ok || !isArr {
			return nil, nil, touchpoint.FieldError("mapping.each", "%q is not an array in this body", h.Mapping.Each)
		}
		items = arr
	}
	if len(items) > MaxHookItems {
		return nil, nil, touchpoint.Errorf(touchpoint.ETOOLARGE, "%d items; at most %d per call", len(items), MaxHookItems)
	}
	var events []touchpoint.Event
	var rejected []touchpoint.ItemError
	for i, item := range items {
		ev, err := c.event(h, item, now)
		if err != nil {
			rejected = append(rejected, touchpoint.ItemError{Index: i, Error: &touchpoint.Error{Code: touchpoint.ErrorCode(err), Message: touchpoint.ErrorMessage(err), Field: touchpoint.ErrorField(err)}})
			continue
		}
		events = append(events, ev)
	}
	return events, rejected, nil
}

func text(p *jsonpath.Path, doc any) string {
	if p == nil {
		return ""
	}
	s, _ := p.Text(doc)
	return strings.TrimSpace(s)
}

// event maps one item to its event.
func (c *compiled) event(h *touchpoint.FeedbackHook, item any, now time.Time) (touchpoint.Event, error) {
	var parts []string
	for _, p := range c.text {
		if s := text(&p, item); s != "" {
			parts = append(parts, s)
		}
	}
	body := strings.Join(parts, "\n\n")
	if len(body) > touchpoint.MaxAnswerText*4 {
		body = body[:touchpoint.MaxAnswerText*4]
	}
	props := map[string]any{"source": h.ID, "source_name": h.Name, "kind": h.Kind, "text": body}
	if t := text(c.title, item); t != "" {
		props["title"] = t
	}
	if c.score != nil {
		if v, ok := c.score.Get(item); ok && v != nil {
			score, err := c.scoreOf(v)
			if err != nil {
				return touchpoint.Event{}, err
			}
			props["score"], props["max_score"] = score, c.m.MaxScore
			if c.m.SurveyType != "" {
				props["survey_type"] = c.m.SurveyType
			}
		}
	}
	if body == "" && props["score"] == nil {
		return touchpoint.Event{}, touchpoint.FieldError("mapping.text", "item has neither text nor score")
	}
	email, user, phone, cust := strings.ToLower(text(c.email, item)), text(c.user, item), text(c.phone, item), text(c.cust, item)
	if email == "" && user == "" && phone == "" && cust == "" {
		return touchpoint.Event{}, touchpoint.FieldError("mapping.email", "item names no customer (email, user id, phone or customer id)")
	}
	at := now
	if c.at != nil {
		if v, ok := c.at.Get(item); ok && v != nil {
			s, _ := jsonpath.Path{}.Text(v)
			t, ok := parseTimestamp(s)
			if !ok {
				return touchpoint.Event{}, touchpoint.FieldError("mapping.created_at", "%q is not a time (RFC 3339 or unix seconds)", truncate(s, 40))
			}
			at = t
		}
	}
	for k, p := range map[string]*jsonpath.Path{"language": c.lang, "touchpoint": c.tch} {
		if s := text(p, item); s != "" {
			props[k] = truncate(s, 200)
		}
	}
	for k, p := range c.props {
		if v, ok := p.Get(item); ok {
			props[k] = v
		}
	}
	extID := text(c.extID, item)
	if extID == "" {
		raw, _ := json.Marshal(item)
		sum := sha256.Sum256(raw)
		extID = "sha256:" + hex.EncodeToString(sum[:12])
	}
	props["external_id"] = extID
	if email != "" {
		props["email"] = email
	}
	ctx := map[string]any{"library": map[string]string{"name": "touchpoint-hook"}}
	traits := map[string]string{}
	if email != "" {
		traits["email"] = email
	}
	if phone != "" {
		traits["phone"] = phone
	}
	if len(traits) > 0 {
		ctx["traits"] = traits
	}
	if cust != "" {
		ctx["externalIds"] = []map[string]string{{"type": h.Name + "_id", "id": cust, "collection": "users"}}
	}
	ctxJSON, _ := json.Marshal(ctx)
	propsJSON, err := json.Marshal(props)
	if err != nil {
		return touchpoint.Event{}, touchpoint.FieldError("mapping.properties", "%s", err.Error())
	}
	ev := touchpoint.Event{
		ID: "fbk:" + h.ID + ":" + truncate(extID, 200), Workspace: h.Workspace, SourceID: h.ID, Type: touchpoint.TypeTrack,
		Event: touchpoint.EventFeedbackReceived, UserID: user, Channel: h.Channel, Timestamp: at, ReceivedAt: now,
		Properties: propsJSON, Context: ctxJSON,
	}
	if user == "" {
		// Identity resolution links this id to the profile of the email,
		// phone or sender's customer id the event carries, so analytics
		// can attribute the ticket like any event.
		sum := sha256.Sum256([]byte(h.Workspace + "\x00" + h.Name + "\x00" + email + "\x00" + phone + "\x00" + cust))
		ev.AnonymousID = "fb-" + hex.EncodeToString(sum[:12])
	}
	return ev, nil
}

func (c *compiled) scoreOf(v any) (float64, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	case bool:
		s = strconv.FormatBool(x)
	default:
		return 0, touchpoint.FieldError("mapping.score", "score is not a number or a word")
	}
	for k, n := range c.m.ScoreMap {
		if strings.EqualFold(k, s) {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, touchpoint.FieldError("mapping.score", "score %q is not a number and score_map does not name it", truncate(s, 40))
	}
	if c.m.MaxScore > 0 && (f < 0 || f > c.m.MaxScore) {
		return 0, touchpoint.FieldError("mapping.score", "score %g is outside 0-%g", f, c.m.MaxScore)
	}
	return f, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
