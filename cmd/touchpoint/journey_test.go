package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
	"github.com/touchpoint-cx/touchpoint/internal/smtptest"
)

// receiver is a webhook endpoint that applies each Idempotency-Key once,
// as a well-behaved receiver does, and counts every request it gets.
type receiver struct {
	mu       sync.Mutex
	requests map[string]int // idempotency key -> requests
	applied  int
	hang     chan struct{} // when set, the next request is recorded and then hangs
	got      chan string

	lastBody      []byte
	lastSignature string
}

func newReceiver() *receiver {
	return &receiver{requests: map[string]int{}, got: make(chan string, 100)}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	rc.mu.Lock()
	rc.lastBody, rc.lastSignature = body, r.Header.Get("Touchpoint-Signature")
	rc.requests[key]++
	if rc.requests[key] == 1 {
		rc.applied++
	}
	hang := rc.hang
	rc.hang = nil
	rc.mu.Unlock()
	rc.got <- key
	if hang != nil {
		<-hang
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) counts() (requests map[string]int, applied int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[string]int{}
	for k, v := range rc.requests {
		out[k] = v
	}
	return out, rc.applied
}

// journeyEnv is a data directory wired to a real SMTP server and a local
// webhook receiver.
type journeyEnv struct {
	dir     string
	keys    InitResult
	config  string
	smtp    *smtptest.Server
	hook    *receiver
	hookURL string
}

func newJourneyEnv(t *testing.T) *journeyEnv {
	t.Helper()
	dir, keys := initDir(t)
	mailSrv, err := smtptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mailSrv.Close() })
	hook := newReceiver()
	hs := httptest.NewServer(hook)
	t.Cleanup(hs.Close)
	cfg := map[string]any{
		"smtp":     map[string]any{"host": mailSrv.Host, "port": mailSrv.Port, "tls": "none", "from": "Acme <hello@acme.example>"},
		"journeys": map[string]any{"retry_initial": "200ms", "max_attempts": 20, "timer_interval": "50ms"},
	}
	b, _ := json.Marshal(cfg)
	path := filepath.Join(t.TempDir(), "touchpoint.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return &journeyEnv{dir: dir, keys: keys, config: path, smtp: mailSrv, hook: hook, hookURL: hs.URL}
}

func (e *journeyEnv) start(t *testing.T) *server {
	return start(t, e.dir, e.keys, "--config", e.config)
}

// allowLoopback lets webhooks reach the local receiver: an admin allows
// 127.0.0.1 explicitly, as the outbound guard requires.
func allowLoopback(t *testing.T, s *server) {
	t.Helper()
	c := s.client()
	st, err := c.MessagingSettings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.AllowedHosts = []string{"127.0.0.1"}
	st.QuietHours = touchpoint.QuietHours{}
	if _, err := c.SetMessagingSettings(context.Background(), st); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestJourneysEndToEnd drives a journey through the real binary: applied
// from a directory of YAML files, triggered by a tracked event, sending a
// real email (to an SMTP server in the test), a signed webhook and an
// in-app message, with an unsubscribe link that works without signing in.
func TestJourneysEndToEnd(t *testing.T) {
	env := newJourneyEnv(t)
	s := env.start(t)
	allowLoopback(t, s)
	ctx := context.Background()
	c := s.client()

	jdir := t.TempDir()
	os.WriteFile(filepath.Join(jdir, "cart.yaml"), []byte(`
name: Abandoned cart
entry: {type: event, event: Cart Abandoned, conditions: 'event.properties.value >= 50', next: mail}
nodes:
  - id: mail
    type: email
    next: hook
    message:
      subject: "{{.profile.traits.first_name}}, you left {{.event.properties.value}} in your cart"
      html: '<p>Hi {{.profile.traits.first_name}}</p><p><a href="{{.unsubscribe_url}}">Unsubscribe</a></p>'
  - {id: hook, type: webhook, url: "`+env.hookURL+`/crm", next: popup}
  - {id: popup, type: in_app, message: {title: "Your cart", text: "Still thinking?"}}
goal: {event: Order Completed}
`), 0o600)
	out, err := tp(t, "journeys", "apply", "--publish", "--data", env.dir, jdir)
	if err != nil || !strings.Contains(out, "cart: published version 1") {
		t.Fatalf("apply: %q %v", out, err)
	}
	out, err = tp(t, "journeys", "apply", "--publish", "--data", env.dir, jdir)
	if err != nil || !strings.Contains(out, "cart: unchanged, version 1 stays live") {
		t.Fatalf("second apply: %q %v", out, err)
	}

	wk := env.keys.WriteKey
	if code, body := s.post("/v1/batch", wk, `{"batch":[
		{"type":"identify","userId":"ana","traits":{"email":"ana@example.com","first_name":"Ana"}},
		{"type":"track","userId":"ana","event":"Cart Abandoned","properties":{"value":20}},
		{"type":"track","userId":"ana","event":"Cart Abandoned","properties":{"value":75}}]}`); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	select {
	case <-env.smtp.Received():
	case <-time.After(30 * time.Second):
		t.Fatalf("no email arrived\n%s", s.stderr.String())
	}
	msgs := env.smtp.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "ana@example.com" || msgs[0].Header.Get("Subject") != "Ana, you left 75 in your cart" {
		t.Fatalf("mail %+v", msgs)
	}
	unsub := regexp.MustCompile(`<(http://[^>]+/u/[^>]+)>`).FindStringSubmatch(msgs[0].Header.Get("List-Unsubscribe"))
	if unsub == nil || !strings.HasPrefix(msgs[0].Header.Get("Message-Id"), "<enr_") {
		t.Fatalf("headers %v", msgs[0].Header)
	}
	select {
	case <-env.hook.got:
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook arrived")
	}

	// The receiver checks the signature with the key the API gives.
	secret, err := c.WebhookSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := hex.DecodeString(secret)
	env.hook.mu.Lock()
	body, sig := env.hook.lastBody, env.hook.lastSignature
	env.hook.mu.Unlock()
	ts, _, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",")
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	if sig != "t="+ts+",v1="+hex.EncodeToString(mac.Sum(nil)) || !strings.Contains(string(body), `"first_name":"Ana"`) {
		t.Fatalf("webhook signature %q does not verify, or body %s", sig, body)
	}

	// The web widget finds the in-app message with the write key.
	var inapp httpapi.InAppResponse
	waitFor(t, "the in-app message", func() bool {
		req, _ := http.NewRequest(http.MethodGet, s.url+"/v1/inapp?userId=ana", nil)
		req.SetBasicAuth(wk, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(&inapp)
		return len(inapp.Messages) == 1
	})
	if inapp.Messages[0].Title != "Your cart" {
		t.Fatalf("in-app %+v", inapp.Messages[0])
	}

	// The unsubscribe link: a GET only asks, the POST acts, no key needed.
	resp, err := http.Get(unsub[1])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "<form method=\"post\">") {
		t.Fatalf("unsubscribe page %d %s", resp.StatusCode, page)
	}
	resp, err = http.Post(unsub[1], "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	consent, err := c.Consent(ctx, "user_id:ana")
	if err != nil || len(consent.Consent) != 1 || consent.Consent[0].Status != "unsubscribed" || consent.Consent[0].Source != "unsubscribe_link" {
		t.Fatalf("consent after unsubscribing: %+v %v", consent, err)
	}
	if resp, _ := http.Post(s.url+"/u/forged.token", "text/plain", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged token: %d", resp.StatusCode)
	}

	st, err := c.JourneyStats(ctx, "cart", 0)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "statistics", func() bool {
		st, _ = c.JourneyStats(ctx, "cart", 0)
		return st.Nodes["mail"].Sent == 1 && st.Nodes["hook"].Delivered == 1 && st.Nodes["popup"].Delivered == 1
	})
	if st.Nodes["entry"].Entered != 1 || st.Enrolled != 1 {
		t.Fatalf("stats %+v", st.Nodes["entry"])
	}
	s.caughtUp()
	waitFor(t, "platform events", func() bool {
		evs, err := c.Events(ctx, httpapi.EventsQuery{UserID: "ana", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, ev := range evs {
			names[ev.Event] = true
		}
		return names["journey.entered"] && names["journey.step"] && names["message.sent"] && names["message.delivered"] && names["consent.changed"]
	})

	t.Run("ErrInvalidJourneyNamesNodeAndField", func(t *testing.T) {
		_, err := c.PutJourney(ctx, "broken", []byte("name: Broken\nentry: {type: api, next: b}\nnodes:\n  - {id: b, type: branch, branches: [{name: x, when: 'profile.traits.plan =='}], else: ''}\n"))
		if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != "nodes[0].branches[0].when" || !strings.Contains(touchpoint.ErrorMessage(err), `node "b"`) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrPrivateWebhookURL", func(t *testing.T) {
		_, err := c.PutJourney(ctx, "ssrf", []byte("name: SSRF\nentry: {type: api, next: h}\nnodes:\n  - {id: h, type: webhook, url: 'http://169.254.169.254/latest/meta-data'}\n"))
		if touchpoint.ErrorField(err) != "nodes[0].url" || !strings.Contains(touchpoint.ErrorMessage(err), "link-local") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("AdminRoutes", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/journeys/cart?format=yaml", nil)
		req.Header.Set("Authorization", "Bearer "+env.keys.AdminKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		yml, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(yml), "id: cart") || !strings.Contains(string(yml), "type: webhook") {
			t.Fatalf("yaml %d %s", resp.StatusCode, yml)
		}
		j, err := c.Journey(ctx, "cart")
		if err != nil || len(j.Edges) != 3 || j.ActiveVersion != 1 {
			t.Fatalf("journey %+v %v", j, err)
		}
		ens, err := c.Enrolments(ctx, "cart")
		if err != nil || len(ens) != 1 || ens[0].UserID != "ana" {
			t.Fatalf("enrolments %+v %v", ens, err)
		}
		sent, err := c.Messages(ctx, "sent")
		if err != nil || len(sent) != 3 {
			t.Fatalf("sent messages %+v %v", sent, err)
		}
		if _, err := c.RetryMessage(ctx, sent[0].ID); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("retrying a sent message: %v", err)
		}
		st, _ := c.MessagingSettings(ctx)
		st.QuietHours = touchpoint.QuietHours{Start: "9pm", End: "08:00"}
		if _, err := c.SetMessagingSettings(ctx, st); touchpoint.ErrorField(err) != "quiet_hours.start" {
			t.Fatalf("bad quiet hours: %v", err)
		}
		if _, err := c.AddSuppression(ctx, httpapi.SuppressionRequest{Kind: "email", Value: "Bounced@Example.com", Reason: "hard bounce"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SetConsent(ctx, "user_id:ana", httpapi.ConsentRequest{Channel: "sms", Status: "perhaps"}); touchpoint.ErrorField(err) != "status" {
			t.Fatalf("bad consent: %v", err)
		}
		if _, err := c.JourneyStats(ctx, "cart", 7); touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
			t.Fatalf("stats of a missing version: %v", err)
		}
	})
	t.Run("DryRunAndEnrol", func(t *testing.T) {
		if _, err := c.PutJourney(ctx, "vip", []byte("name: VIP\nentry: {type: api, next: b}\nnodes:\n  - {id: b, type: branch, branches: [{name: named, when: 'profile.traits.first_name == \"Ana\"', next: tag}], else: ''}\n  - {id: tag, type: list, list: vip-callback, op: add, next: e}\n  - {id: e, type: exit}\n")); err != nil {
			t.Fatal(err)
		}
		run, err := c.DryRun(ctx, "vip", httpapi.DryRunRequest{DryRunRequest: touchpoint.DryRunRequest{Profile: "email:ANA@example.com"}})
		if err != nil || len(run.Steps) != 4 || run.Steps[1].Port != "named" {
			t.Fatalf("dry run %+v %v", run, err)
		}
		if _, err := c.Enrol(ctx, "vip", "user_id:ana", nil); touchpoint.ErrorCode(err) != touchpoint.ECONFLICT {
			t.Fatalf("enrol in a draft: %v", err)
		}
		if _, err := c.PublishJourney(ctx, "vip"); err != nil {
			t.Fatal(err)
		}
		en, err := c.Enrol(ctx, "vip", "user_id:ana", json.RawMessage(`{"by":"test"}`))
		if err != nil || en.Status != "completed" {
			t.Fatalf("enrol %+v %v", en, err)
		}
		// The list node's list can be read back.
		lists, err := c.Lists(ctx)
		if err != nil || len(lists) != 1 || lists[0].Name != "vip-callback" || lists[0].Members != 1 {
			t.Fatalf("lists %+v %v", lists, err)
		}
		members, next, err := c.ListMembers(ctx, "vip-callback", "", 10)
		if err != nil || len(members) != 1 || members[0].ProfileID != en.ProfileID || next != "" {
			t.Fatalf("list members %+v %q %v", members, next, err)
		}
		if _, _, err := c.ListMembers(ctx, "no such list!", "", 10); touchpoint.ErrorField(err) != "list" {
			t.Fatalf("bad list name: %v", err)
		}
	})
	s.stop()
}

// TestJourneyCrashBeforeSend kills the server while an email is claimed
// but not yet accepted by the SMTP server (the server holds its DATA
// unanswered), then restarts it: the email arrives exactly once.
func TestJourneyCrashBeforeSend(t *testing.T) {
	env := newJourneyEnv(t)
	s := env.start(t)
	allowLoopback(t, s)
	publishYAML(t, s, "crash", "name: Crash\nentry: {type: event, event: Go, next: m}\nnodes:\n  - {id: m, type: email, next: h, message: {subject: once, text: once}}\n  - {id: h, type: webhook, url: '"+env.hookURL+"/h'}\n")
	env.smtp.Hold(false)
	if code, body := s.post("/v1/batch", env.keys.WriteKey, `{"batch":[{"type":"identify","userId":"k","traits":{"email":"k@example.com"}},{"type":"track","userId":"k","event":"Go"}]}`); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	select {
	case <-env.smtp.Holding():
	case <-time.After(30 * time.Second):
		t.Fatal("the email never reached the SMTP server")
	}
	s.kill9()
	env.smtp.Release()
	if n := len(env.smtp.Messages()); n != 0 {
		t.Fatalf("%d messages accepted before the crash", n)
	}
	s = env.start(t)
	select {
	case <-env.smtp.Received():
	case <-time.After(30 * time.Second):
		t.Fatalf("the email was not sent after the restart\n%s", s.stderr.String())
	}
	waitFor(t, "the webhook", func() bool { _, applied := env.hook.counts(); return applied == 1 })
	// Let the dispatcher run a few more rounds: nothing else may arrive.
	waitFor(t, "the outbox to settle", func() bool {
		ms, err := s.client().Messages(context.Background(), "sent")
		return err == nil && len(ms) == 2
	})
	if n := len(env.smtp.Messages()); n != 1 {
		t.Fatalf("%d emails after the restart, want exactly 1", n)
	}
	if !strings.Contains(s.stderr.String(), "put back in line") {
		t.Fatalf("the interrupted send was not reconciled:\n%s", s.stderr.String())
	}
	s.stop()
}

// TestJourneyCrashAfterSend kills the server when the receivers have
// taken a message but the server has not heard so: the webhook receiver
// has recorded the request (and hangs), the SMTP server has stored the
// email (and holds its answer). After the restart both are sent again
// with the same idempotency key: the webhook's effect happens once, and
// the email, for which SMTP has no idempotency, arrives a second time
// with the same Message-ID, which mail systems use to drop the copy.
func TestJourneyCrashAfterSend(t *testing.T) {
	env := newJourneyEnv(t)
	s := env.start(t)
	allowLoopback(t, s)
	publishYAML(t, s, "crash2", "name: Crash\nentry: {type: event, event: Go, next: h}\nnodes:\n  - {id: h, type: webhook, url: '"+env.hookURL+"/h', next: m}\n  - {id: m, type: email, message: {subject: twice, text: twice}}\n")
	hang := make(chan struct{})
	env.hook.mu.Lock()
	env.hook.hang = hang
	env.hook.mu.Unlock()
	if code, body := s.post("/v1/batch", env.keys.WriteKey, `{"batch":[{"type":"identify","userId":"w","traits":{"email":"w@example.com"}},{"type":"track","userId":"w","event":"Go"}]}`); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var key string
	select {
	case key = <-env.hook.got:
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook")
	}
	// The email is dispatched after the webhook: hold the email too,
	// after the SMTP server has stored it.
	s.kill9()
	close(hang)
	s = env.start(t)
	waitFor(t, "the webhook again", func() bool { reqs, _ := env.hook.counts(); return reqs[key] == 2 })
	reqs, applied := env.hook.counts()
	if applied != 1 || len(reqs) != 1 {
		t.Fatalf("webhook requests %v, applied %d: want the same key twice, applied once", reqs, applied)
	}
	select {
	case <-env.smtp.Received():
	case <-time.After(30 * time.Second):
		t.Fatal("no email")
	}
	env.smtp.Hold(true)
	s.stop()

	// Now the email: accepted by the SMTP server, unanswered at the crash.
	s = env.start(t)
	if code, body := s.post("/v1/batch", env.keys.WriteKey, `{"batch":[{"type":"identify","userId":"w2","traits":{"email":"w2@example.com"}},{"type":"track","userId":"w2","event":"Go"}]}`); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	select {
	case <-env.smtp.Holding():
	case <-time.After(30 * time.Second):
		t.Fatal("the email never reached the SMTP server")
	}
	s.kill9()
	env.smtp.Release()
	s = env.start(t)
	waitFor(t, "the email again", func() bool { return len(mailsTo(env.smtp, "w2@example.com")) == 2 })
	copies := mailsTo(env.smtp, "w2@example.com")
	if id := copies[0].Header.Get("Message-Id"); id == "" || id != copies[1].Header.Get("Message-Id") {
		t.Fatalf("the repeated email must carry the same Message-ID: %q, %q", id, copies[1].Header.Get("Message-Id"))
	}
	s.stop()
}

func mailsTo(srv *smtptest.Server, to string) []smtptest.Message {
	var out []smtptest.Message
	for _, m := range srv.Messages() {
		if len(m.To) == 1 && m.To[0] == to {
			out = append(out, m)
		}
	}
	return out
}

func publishYAML(t *testing.T, s *server, id, src string) {
	t.Helper()
	c := s.client()
	if _, err := c.PutJourney(context.Background(), id, []byte(src)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishJourney(context.Background(), id); err != nil {
		t.Fatal(err)
	}
}

// TestMessagingConfig checks that bad channel settings are refused with
// the key that is wrong.
func TestMessagingConfig(t *testing.T) {
	for _, tt := range []struct{ json, key string }{
		{`{"smtp":{"host":"mail.example","port":0}}`, "smtp.port"},
		{`{"smtp":{"host":"mail.example","tls":"maybe"}}`, "smtp.tls"},
		{`{"smtp":{"host":"mail.example","from":"not an address"}}`, "smtp.from"},
		{`{"smtp":{"host":"mail.example","username":"u"}}`, "smtp.password"},
		{`{"sms":{"url":"ftp://gw.example"}}`, "sms.url"},
		{`{"sms":{"url":"https://gw.example","body":"{{.to"}}`, "sms.body"},
		{`{"sms":{"url":"https://gw.example","method":"PATCH"}}`, "sms.method"},
		{`{"public_url":"cx.example"}`, "public_url"},
		{`{"journeys":{"retry_initial":"0s"}}`, "journeys.retry_initial"},
		{`{"journeys":{"max_attempts":0}}`, "journeys.max_attempts"},
	} {
		c, err := ParseConfig(strings.NewReader(tt.json))
		if err == nil {
			err = c.Validate()
		}
		if touchpoint.ErrorField(err) != tt.key {
			t.Errorf("%s: got %v, want an error naming %s", tt.json, err, tt.key)
		}
	}
	c, err := ParseConfig(strings.NewReader(`{"smtp":{"host":"mail.example","port":465,"tls":"tls","from":"Acme <hi@acme.example>"},"sms":{"url":"https://gw.example/send"},"journeys":{"retry_initial":"1m"}}`))
	if err != nil || c.Validate() != nil || c.Journeys.MaxAttempts != 6 {
		t.Fatalf("a good config: %+v %v %v", c, err, c.Validate())
	}
}
