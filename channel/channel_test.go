package channel_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/channel"
	"github.com/touchpoint-cx/touchpoint/internal/outbound"
	"github.com/touchpoint-cx/touchpoint/internal/smtptest"
)

func smtpServer(t *testing.T) *smtptest.Server {
	t.Helper()
	s, err := smtptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestEmail(t *testing.T) {
	srv := smtpServer(t)
	email := channel.NewEmail(channel.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "Acme <hello@acme.example>", Timeout: 5 * time.Second})
	ctx := context.Background()
	m := &channel.Message{ID: "enr_abc.3", To: "ana@example.com", Subject: "Your cart", HTML: `<p>Hi Ana,</p><p><a href="https://shop.example/cart">Back to your cart</a></p>`,
		UnsubscribeURL: "https://cx.example/u/tok", At: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}

	t.Run("OK", func(t *testing.T) {
		rc, err := email.Send(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		msgs := srv.Messages()
		if len(msgs) != 1 {
			t.Fatalf("server got %d messages", len(msgs))
		}
		got := msgs[0]
		if got.From != "hello@acme.example" || len(got.To) != 1 || got.To[0] != "ana@example.com" {
			t.Fatalf("envelope %s -> %v", got.From, got.To)
		}
		h := got.Header
		if h.Get("Subject") != "Your cart" || h.Get("Message-Id") != "<enr_abc.3@acme.example>" || rc.ProviderID != "<enr_abc.3@acme.example>" {
			t.Fatalf("headers %v, receipt %+v", h, rc)
		}
		if h.Get("List-Unsubscribe") != "<https://cx.example/u/tok>" || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Fatalf("unsubscribe headers %v", h)
		}
		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil || mt != "multipart/alternative" {
			t.Fatalf("content type %q %v", h.Get("Content-Type"), err)
		}
		parts := map[string]string{}
		mr := multipart.NewReader(strings.NewReader(string(got.Body)), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(p)
			ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			parts[ct] = decodeQP(p.Header.Get("Content-Transfer-Encoding"), string(b))
		}
		if !strings.Contains(parts["text/plain"], "Back to your cart (https://shop.example/cart)") || !strings.Contains(parts["text/html"], `href="https://shop.example/cart"`) {
			t.Fatalf("parts %q", parts)
		}
	})
	t.Run("RepeatKeepsMessageID", func(t *testing.T) {
		if _, err := email.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
		msgs := srv.Messages()
		if len(msgs) != 2 || msgs[0].Header.Get("Message-Id") != msgs[1].Header.Get("Message-Id") {
			t.Fatal("a repeated send must carry the same Message-ID")
		}
	})
	t.Run("ErrRefusedRecipientIsPermanent", func(t *testing.T) {
		srv.Reject("gone@example.com")
		_, err := email.Send(ctx, &channel.Message{ID: "x.1", To: "gone@example.com", Subject: "s", Text: "t"})
		if err == nil || !channel.IsPermanent(err) {
			t.Fatalf("got %v, want a permanent error", err)
		}
	})
	t.Run("ErrUnreachableIsRetried", func(t *testing.T) {
		down := channel.NewEmail(channel.SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: "none", From: "a@b.example", Timeout: 2 * time.Second})
		_, err := down.Send(ctx, &channel.Message{ID: "x.2", To: "a@example.com", Subject: "s", Text: "t"})
		if err == nil || channel.IsPermanent(err) {
			t.Fatalf("got %v, want a retryable error", err)
		}
	})
}

func decodeQP(enc, s string) string {
	if strings.EqualFold(enc, "quoted-printable") {
		s = strings.NewReplacer("=\r\n", "", "=\n", "", "=3D", "=").Replace(s)
	}
	return s
}

func TestPlainText(t *testing.T) {
	got := channel.PlainText(`<html><style>p{color:red}</style><h1>Hello</h1><p>Your <b>order</b> &amp; more</p><a href="https://x.example">Track it</a></html>`)
	want := "Hello\nYour order & more\nTrack it (https://x.example)"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

type hook struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   []string
	status   int
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.requests = append(h.requests, r)
	h.bodies = append(h.bodies, string(b))
	status := h.status
	h.mu.Unlock()
	if status == 0 {
		status = 200
	}
	w.WriteHeader(status)
	w.Write([]byte(`{"message_id":"gw-1"}`))
}

func TestWebhook(t *testing.T) {
	h := &hook{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	wh := channel.NewWebhook(5 * time.Second)
	ctx := context.Background()
	secret := []byte("s3cret")
	at := time.Unix(1790000000, 0)
	m := &channel.Message{ID: "enr_1.2", To: srv.URL + "/hook", Body: []byte(`{"a":1}`), Secret: secret, At: at, AllowedHosts: []string{"127.0.0.1"}}

	t.Run("OK", func(t *testing.T) {
		rc, err := wh.Send(ctx, m)
		if err != nil || !rc.Delivered {
			t.Fatalf("%+v %v", rc, err)
		}
		r := h.requests[0]
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte("1790000000.{\"a\":1}"))
		want := "t=1790000000,v1=" + hex.EncodeToString(mac.Sum(nil))
		if r.Header.Get("Touchpoint-Signature") != want || r.Header.Get("Idempotency-Key") != "enr_1.2" || h.bodies[0] != `{"a":1}` {
			t.Fatalf("headers %v body %s", r.Header, h.bodies[0])
		}
	})
	t.Run("ErrServerErrorIsRetried", func(t *testing.T) {
		h.status = 503
		_, err := wh.Send(ctx, m)
		if err == nil || channel.IsPermanent(err) {
			t.Fatalf("503: %v", err)
		}
	})
	t.Run("ErrClientErrorIsPermanent", func(t *testing.T) {
		h.status = 400
		_, err := wh.Send(ctx, m)
		if err == nil || !channel.IsPermanent(err) {
			t.Fatalf("400: %v", err)
		}
		h.status = 200
	})
	t.Run("ErrLoopbackRefusedUnlessAllowed", func(t *testing.T) {
		n := len(h.requests)
		mm := *m
		mm.AllowedHosts = nil
		_, err := wh.Send(ctx, &mm)
		if err == nil || !channel.IsPermanent(err) || !errors.Is(err, outbound.ErrForbidden) || len(h.requests) != n {
			t.Fatalf("loopback without allow-list: %v", err)
		}
	})
	t.Run("ErrRedirectToForbiddenAddress", func(t *testing.T) {
		// The allowed host redirects to another port of the same machine,
		// which is not allowed: the connection is refused at dial time.
		other := httptest.NewServer(h)
		defer other.Close()
		redirector := httptest.NewServer(http.RedirectHandler(other.URL+"/internal", http.StatusFound))
		defer redirector.Close()
		ru, _ := url.Parse(redirector.URL)
		n := len(h.requests)
		_, err := wh.Send(ctx, &channel.Message{ID: "r.1", To: redirector.URL, Body: []byte(`{}`), Secret: secret, AllowedHosts: []string{ru.Host}})
		if err == nil || !errors.Is(err, outbound.ErrForbidden) || len(h.requests) != n {
			t.Fatalf("redirect to a forbidden address: %v", err)
		}
	})
	_ = u
}

func TestSMS(t *testing.T) {
	h := &hook{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	sms, err := channel.NewSMS(channel.SMSConfig{URL: srv.URL + "/send", Headers: map[string]string{"Authorization": "Bearer gw"},
		Body: `{"recipient":{{json .to}},"message":{{json .text}},"sender":{{json .from}}}`, From: "ACME", IDField: "message_id", AllowedHosts: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := sms.Send(context.Background(), &channel.Message{ID: "enr_9.1", To: "+14155550100", Text: `Say "hi"`})
	if err != nil || rc.ProviderID != "gw-1" {
		t.Fatalf("%+v %v", rc, err)
	}
	r := h.requests[0]
	if r.Header.Get("Authorization") != "Bearer gw" || r.Header.Get("Idempotency-Key") != "enr_9.1" || h.bodies[0] != `{"recipient":"+14155550100","message":"Say \"hi\"","sender":"ACME"}` {
		t.Fatalf("request %v %s", r.Header, h.bodies[0])
	}
	if _, err := channel.NewSMS(channel.SMSConfig{URL: srv.URL, Body: "{{.to"}); err == nil {
		t.Fatal("a broken body template must be refused")
	}
}

func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		url     string
		allowed []string
		ok      bool
	}{
		{"https://93.184.216.34/hook", nil, true},
		{"http://127.0.0.1:8080/hook", nil, false},
		{"http://localhost/hook", nil, false},
		{"http://10.1.2.3/hook", nil, false},
		{"http://192.168.0.10/hook", nil, false},
		{"http://172.16.5.4/hook", nil, false},
		{"http://100.64.0.1/hook", nil, false},
		{"http://169.254.169.254/latest/meta-data", nil, false},
		{"http://[::1]/hook", nil, false},
		{"http://[fe80::1]/hook", nil, false},
		{"http://[::ffff:127.0.0.1]/hook", nil, false},
		{"http://0.0.0.0/hook", nil, false},
		{"ftp://93.184.216.34/x", nil, false},
		{"https://user:pw@93.184.216.34/x", nil, false},
		{"not a url", nil, false},
		{"http://127.0.0.1:8080/hook", []string{"127.0.0.1"}, true},
		{"http://127.0.0.1:8080/hook", []string{"127.0.0.1:8080"}, true},
		{"http://127.0.0.1:9090/hook", []string{"127.0.0.1:8080"}, false},
	} {
		err := outbound.CheckURL(ctx, tt.allowed, tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("CheckURL(%q, %v) = %v, want ok=%v", tt.url, tt.allowed, err, tt.ok)
		}
		if err != nil && touchpoint.ErrorCode(err) != touchpoint.EINVALID {
			t.Errorf("%q: code %s", tt.url, touchpoint.ErrorCode(err))
		}
	}
}
