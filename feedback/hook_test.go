package feedback_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/feedback"
)

var now = time.Date(2026, 11, 20, 11, 5, 0, 0, time.UTC)

func zendeskHook() *touchpoint.FeedbackHook {
	h := &touchpoint.FeedbackHook{ID: "hk_zd", Workspace: "default", Name: "zendesk", Secret: "whs_secret",
		Auth: touchpoint.HookAuth{Scheme: touchpoint.HookHMAC, Header: "X-Zendesk-Webhook-Signature", Encoding: "base64",
			TimestampHeader: "X-Zendesk-Webhook-Signature-Timestamp"},
		Mapping: touchpoint.FeedbackMapping{ExternalID: "ticket.id", Title: "ticket.subject", Text: []string{"ticket.description", "ticket.satisfaction_rating.comment"},
			Score: "ticket.satisfaction_rating.score", ScoreMap: map[string]float64{"good": 5, "bad": 1}, SurveyType: "csat",
			Email: "ticket.requester.email", CustomerID: "ticket.requester_id", CreatedAt: "ticket.created_at",
			Properties: map[string]string{"priority": "ticket.priority", "tags": "ticket.tags"}}}
	h.Normalize()
	return h
}

func TestHookEvents(t *testing.T) {
	body, err := os.ReadFile("testdata/zendesk_ticket.json")
	if err != nil {
		t.Fatal(err)
	}
	h := zendeskHook()
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	events, rejected, err := feedback.HookEvents(h, body, now)
	if err != nil || len(rejected) != 0 || len(events) != 1 {
		t.Fatalf("%v %v %v", events, rejected, err)
	}
	ev := events[0]
	if ev.ID != "fbk:hk_zd:35436" || ev.Event != touchpoint.EventFeedbackReceived || ev.Channel != touchpoint.ChannelSupport || ev.SourceID != "hk_zd" ||
		!ev.Timestamp.Equal(time.Date(2026, 11, 20, 9, 14, 2, 0, time.UTC)) || ev.UserID != "" || !strings.HasPrefix(ev.AnonymousID, "fb-") {
		t.Fatalf("event %+v", ev)
	}
	var p map[string]any
	json.Unmarshal(ev.Properties, &p)
	if p["score"] != 1.0 || p["max_score"] != 5.0 || p["survey_type"] != "csat" || p["title"] != "Order #A-1093 arrived damaged" || p["priority"] != "high" ||
		!strings.Contains(p["text"].(string), "box was crushed") || !strings.Contains(p["text"].(string), "Took three days") || p["email"] != "ana.silva@example.com" {
		t.Fatalf("properties %v", p)
	}
	ids, _ := touchpoint.EventIdentifiers(&ev, touchpoint.DefaultIdentityRules())
	var kinds []string
	for _, id := range ids {
		kinds = append(kinds, id.String())
	}
	if got := strings.Join(kinds, " "); !strings.Contains(got, "email:ana.silva@example.com") || !strings.Contains(got, "zendesk_id:20978392") {
		t.Fatalf("identifiers %s", got)
	}
	items := feedback.Extract(events)
	if len(items) != 1 || items[0].Kind != touchpoint.KindTicket || items[0].Email != "ana.silva@example.com" || items[0].ExternalID != "35436" || *items[0].Score != 1 {
		t.Fatalf("item %+v", items)
	}
	t.Run("RetryIsSameEvent", func(t *testing.T) {
		again, _, _ := feedback.HookEvents(h, body, now.Add(time.Minute))
		if again[0].ID != ev.ID {
			t.Fatal("a retried call must have the same messageId")
		}
	})
	t.Run("Each", func(t *testing.T) {
		hr := &touchpoint.FeedbackHook{ID: "hk_rv", Workspace: "default", Name: "reviews", Kind: touchpoint.KindReview, Mapping: touchpoint.FeedbackMapping{
			Each: "reviews", ExternalID: "id", Text: []string{"body"}, Score: "stars", MaxScore: 5, Email: "author.email", CreatedAt: "at"}}
		hr.Normalize()
		evs, rej, err := feedback.HookEvents(hr, []byte(`{"reviews":[
			{"id":"r1","body":"Love it","stars":5,"author":{"email":"a@example.com"},"at":1763629200},
			{"id":"r2","body":"","author":{"email":"b@example.com"}},
			{"id":"r3","body":"ok","stars":9,"author":{"email":"c@example.com"}},
			{"id":"r4","body":"Nice","stars":"4","author":{}}]}`), now)
		if err != nil || len(evs) != 1 || len(rej) != 3 || rej[0].Index != 1 || rej[1].Error.Field != "mapping.score" || rej[2].Error.Field != "mapping.email" {
			t.Fatalf("%v %+v %v", evs, rej, err)
		}
		if evs[0].Channel != touchpoint.ChannelReview || evs[0].Timestamp.Unix() != 1763629200 {
			t.Fatalf("%+v", evs[0])
		}
		if _, _, err := feedback.HookEvents(hr, []byte(`{"reviews":{}}`), now); touchpoint.ErrorField(err) != "mapping.each" {
			t.Fatalf("not an array: %v", err)
		}
		if _, _, err := feedback.HookEvents(hr, []byte(`{"reviews":[`), now); touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Fatalf("bad JSON: %v", err)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	body := []byte(`{"ticket":{"id":1}}`)
	h := zendeskHook()
	sign := func(ts string, b []byte) string {
		m := hmac.New(sha256.New, []byte(h.Secret))
		m.Write([]byte(ts))
		m.Write(b)
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	ts := now.Format(time.RFC3339)
	hdr := func(sig, ts string) http.Header {
		return http.Header{"X-Zendesk-Webhook-Signature": {sig}, "X-Zendesk-Webhook-Signature-Timestamp": {ts}}
	}
	if err := feedback.Authenticate(h, hdr(sign(ts, body), ts), body, now); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	old := now.Add(-10 * time.Minute).Format(time.RFC3339)
	for name, tt := range map[string]struct {
		h    http.Header
		body []byte
	}{
		"TamperedBody": {hdr(sign(ts, body), ts), []byte(`{"ticket":{"id":2}}`)},
		"NoSignature":  {http.Header{}, body},
		"OldTimestamp": {hdr(sign(old, body), old), body},
		"NotBase64":    {hdr("%%%", ts), body},
		"OtherSecret":  {hdr(base64.StdEncoding.EncodeToString([]byte("x")), ts), body},
	} {
		if err := feedback.Authenticate(h, tt.h, tt.body, now); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
			t.Errorf("%s: %v", name, err)
		}
	}
	tok := &touchpoint.FeedbackHook{Name: "reviews", Secret: "whs_tok"}
	tok.Normalize()
	if err := feedback.Authenticate(tok, http.Header{"Authorization": {"Bearer whs_tok"}}, body, now); err != nil {
		t.Fatalf("token: %v", err)
	}
	if err := feedback.Authenticate(tok, http.Header{"Authorization": {"Bearer whs_nope"}}, body, now); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
		t.Fatalf("wrong token: %v", err)
	}
	revoked := now
	tok.RevokedAt = &revoked
	if err := feedback.Authenticate(tok, http.Header{"Authorization": {"Bearer whs_tok"}}, body, now); touchpoint.ErrorCode(err) != touchpoint.EUNAUTHORIZED {
		t.Fatalf("revoked: %v", err)
	}
	unix := strconv.FormatInt(now.Unix(), 10)
	if err := feedback.Authenticate(h, hdr(sign(unix, body), unix), body, now); err != nil {
		t.Fatalf("unix timestamp: %v", err)
	}
}

func TestCSVEvents(t *testing.T) {
	m, err := feedback.ParseMap("external_id=Review ID,text=Title,text=Review,score=Rating,email=E-mail,created_at=Date")
	if err != nil {
		t.Fatal(err)
	}
	m.MaxScore = 5
	h := &touchpoint.FeedbackHook{ID: feedback.ImportSource, Workspace: "default", Name: "import", Kind: touchpoint.KindReview, Mapping: m}
	h.Normalize()
	csv := "\ufeffReview ID,Title,Review,Rating,E-mail,Date\n" +
		"R1,Great,\"Fast delivery, lovely, \"\"wow\"\"\",5,a@example.com,2026-11-01T10:00:00Z\n" +
		"R2,Bad,Late again,1,,2026-11-02T10:00:00Z\n" +
		"R3,Meh,Fine,3,c@example.com,yesterday\n"
	events, rejected, err := feedback.CSVEvents(h, strings.NewReader(csv), now)
	if err != nil || len(events) != 1 || len(rejected) != 2 || rejected[0].Index != 3 || !strings.Contains(rejected[1].Error.Message, "line 4") {
		t.Fatalf("%v %+v %v", events, rejected, err)
	}
	var p map[string]any
	json.Unmarshal(events[0].Properties, &p)
	if p["text"] != "Great\n\nFast delivery, lovely, \"wow\"" || p["score"] != 5.0 || events[0].ID != "fbk:import:R1" {
		t.Fatalf("%v %s", p, events[0].ID)
	}
	if _, err := feedback.ParseMap("text=Review,colour=Red"); touchpoint.ErrorField(err) != "map" {
		t.Fatalf("unknown field: %v", err)
	}
	bad, _ := feedback.ParseMap("text=Body,email=Email")
	h.Mapping = bad
	if _, _, err := feedback.CSVEvents(h, strings.NewReader(csv), now); touchpoint.ErrorField(err) != "map" || !strings.Contains(touchpoint.ErrorMessage(err), "Body") {
		t.Fatalf("missing column: %v", err)
	}
}

// FuzzHookEvents feeds arbitrary bodies through a realistic mapping: the
// mapping never panics and what it accepts is a valid feedback event.
func FuzzHookEvents(f *testing.F) {
	body, _ := os.ReadFile("testdata/zendesk_ticket.json")
	f.Add(body)
	f.Add([]byte(`{"ticket":{"id":1,"requester":{"email":"x@y.z"},"satisfaction_rating":{"score":7}}}`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte(`{"ticket":{"created_at":1e400}}`))
	h := zendeskHook()
	f.Fuzz(func(t *testing.T, body []byte) {
		events, _, err := feedback.HookEvents(h, body, now)
		if err != nil {
			return
		}
		for _, ev := range events {
			if ev.ID == "" || ev.Workspace != "default" || (ev.UserID == "" && ev.AnonymousID == "") || !json.Valid(ev.Properties) {
				t.Fatalf("bad event %+v", ev)
			}
			feedback.Extract([]touchpoint.Event{ev})
		}
	})
}
