package channel

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/touchpoint-cx/touchpoint/internal/outbound"
)

// SMSConfig describes an HTTP SMS gateway: where to send and the shape of
// the request, so that any provider's API can be spoken.
type SMSConfig struct {
	URL    string
	Method string // default POST
	// Headers are sent with every request (e.g. Authorization).
	Headers map[string]string
	// ContentType of Body (default application/json).
	ContentType string
	// Body is a Go template over .to, .from, .text and .id; the json
	// function quotes a value for JSON, e.g. {"to":{{json .to}},"text":{{json .text}}}.
	Body string
	From string
	// IDField, if set, names the field of the gateway's JSON answer that
	// holds its message id.
	IDField string
	Timeout time.Duration
	// AllowedHosts lets the gateway be on a private network.
	AllowedHosts []string
}

// DefaultSMSBody is the request body when none is configured.
const DefaultSMSBody = `{"to":{{json .to}},"from":{{json .from}},"text":{{json .text}},"id":{{json .id}}}`

// SMS sends text messages through an HTTP gateway.
type SMS struct {
	cfg    SMSConfig
	body   *template.Template
	client *http.Client
}

// NewSMS returns an SMS sender. Returns an error naming the bad setting.
func NewSMS(cfg SMSConfig) (*SMS, error) {
	if cfg.Method == "" {
		cfg.Method = http.MethodPost
	}
	if cfg.ContentType == "" {
		cfg.ContentType = "application/json"
	}
	if cfg.Body == "" {
		cfg.Body = DefaultSMSBody
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	t, err := template.New("sms").Funcs(template.FuncMap{"json": jsonQuote}).Option("missingkey=zero").Parse(cfg.Body)
	if err != nil {
		return nil, fmt.Errorf("sms.body: %w", err)
	}
	return &SMS{cfg: cfg, body: t, client: outbound.Client(cfg.Timeout, cfg.AllowedHosts)}, nil
}

func jsonQuote(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// Send posts one SMS to the gateway.
func (s *SMS) Send(ctx context.Context, m *Message) (Receipt, error) {
	var body bytes.Buffer
	from := m.From
	if from == "" {
		from = s.cfg.From
	}
	if err := s.body.Execute(&body, map[string]any{"to": m.To, "from": from, "text": m.Text, "id": m.ID}); err != nil {
		return Receipt{}, Abortf("sms: body: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, s.cfg.Method, s.cfg.URL, &body)
	if err != nil {
		return Receipt{}, Abortf("sms: %w", err)
	}
	req.Header.Set("Content-Type", s.cfg.ContentType)
	req.Header.Set("Idempotency-Key", m.ID)
	for k, v := range s.cfg.Headers {
		req.Header.Set(k, v)
	}
	status, answer, err := do(s.client, req)
	if err != nil {
		return Receipt{}, fmt.Errorf("sms: %w", err)
	}
	rc := Receipt{ProviderID: strconv.Itoa(status)}
	if s.cfg.IDField != "" {
		var out map[string]any
		if json.Unmarshal(answer, &out) == nil && out[s.cfg.IDField] != nil {
			rc.ProviderID = fmt.Sprint(out[s.cfg.IDField])
		}
	}
	return rc, nil
}

// Webhook posts signed JSON to a URL.
//
// The signature header is "Touchpoint-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<body>" with the workspace's webhook secret>", the
// scheme Stripe made familiar; receivers should reject old timestamps.
// "Idempotency-Key" carries the step's key, the same on every retry.
type Webhook struct {
	client *http.Client
}

// NewWebhook returns a webhook sender.
func NewWebhook(timeout time.Duration) *Webhook {
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	return &Webhook{client: outbound.Client(timeout, nil)}
}

// Signature computes the Touchpoint-Signature header value.
func Signature(secret, body []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// Send posts the webhook.
func (w *Webhook) Send(ctx context.Context, m *Message) (Receipt, error) {
	req, err := http.NewRequestWithContext(outbound.WithAllowed(ctx, m.AllowedHosts), http.MethodPost, m.To, bytes.NewReader(m.Body))
	if err != nil {
		return Receipt{}, Abortf("webhook: %w", err)
	}
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Touchpoint-Webhook/1")
	req.Header.Set("Idempotency-Key", m.ID)
	req.Header.Set("Touchpoint-Signature", Signature(m.Secret, m.Body, at))
	status, _, err := do(w.client, req)
	if err != nil {
		return Receipt{}, fmt.Errorf("webhook: %w", err)
	}
	return Receipt{ProviderID: strconv.Itoa(status), Delivered: true}, nil
}

// do sends req: 2xx is success; 408, 425, 429 and 5xx are retried
// (honouring Retry-After); other answers are permanent failures, and so is
// a connection the outbound guard refused.
func do(c *http.Client, req *http.Request) (int, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), outbound.ErrForbidden.Error()) {
			return 0, nil, Abort(err)
		}
		return 0, nil, Retry(0, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return resp.StatusCode, answer, nil
	case resp.StatusCode == 408 || resp.StatusCode == 425 || resp.StatusCode == 429 || resp.StatusCode >= 500:
		after, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return 0, nil, Retry(time.Duration(after)*time.Second, fmt.Errorf("%s answered %s", req.URL.Host, resp.Status))
	}
	return 0, nil, Abortf("%s answered %s: %s", req.URL.Host, resp.Status, strings.TrimSpace(string(answer[:min(len(answer), 200)])))
}
