package channel

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "starttls" (upgrade when offered, the default), "require"
	// (STARTTLS or fail), "tls" (implicit TLS, port 465) or "none".
	TLS string
	// From is the default sender, e.g. "Acme <hello@acme.example>".
	From    string
	HELO    string
	Timeout time.Duration
	// InsecureSkipVerify accepts any certificate (test servers only).
	InsecureSkipVerify bool
}

// Email sends email over SMTP, as multipart/alternative with a plain-text
// part, a Message-ID derived from the idempotency key, and one-click
// List-Unsubscribe headers (RFC 8058).
type Email struct {
	cfg SMTPConfig
}

// NewEmail returns an SMTP sender.
func NewEmail(cfg SMTPConfig) *Email {
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Email{cfg: cfg}
}

// MessageID is the Message-ID an email with idempotency key id carries:
// the same on every attempt, so mail systems that de-duplicate by
// Message-ID show a repeat once.
func MessageID(id, from string) string {
	domain := "touchpoint.local"
	if at := strings.LastIndex(from, "@"); at >= 0 {
		domain = strings.Trim(from[at+1:], "> ")
	}
	return strings.NewReplacer("<", "", ">", "", "@", "-", " ", "").Replace(id) + "@" + domain
}

// Send delivers one email.
func (e *Email) Send(ctx context.Context, m *Message) (Receipt, error) {
	from := m.From
	if from == "" {
		from = e.cfg.From
	}
	if from == "" {
		return Receipt{}, Abortf("email: no sender: set smtp.from in the configuration or from in the message")
	}
	msg := mail.NewMsg()
	if err := msg.From(from); err != nil {
		return Receipt{}, Abortf("email: from %q: %w", from, err)
	}
	if err := msg.To(m.To); err != nil {
		return Receipt{}, Abortf("email: to %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	id := MessageID(m.ID, from)
	msg.SetMessageIDWithValue(id)
	if !m.At.IsZero() {
		msg.SetDateWithValue(m.At)
	} else {
		msg.SetDate()
	}
	if m.UnsubscribeURL != "" {
		msg.SetGenHeader("List-Unsubscribe", "<"+m.UnsubscribeURL+">")
		msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	msg.SetGenHeader("X-Touchpoint-Message", m.ID)
	text := m.Text
	if text == "" {
		text = PlainText(m.HTML)
	}
	msg.SetBodyString(mail.TypeTextPlain, text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	opts := []mail.Option{mail.WithPort(e.cfg.Port), mail.WithTimeout(e.cfg.Timeout)}
	switch e.cfg.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPortPolicy(mail.NoTLS))
	case "require":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if e.cfg.InsecureSkipVerify {
		opts = append(opts, mail.WithTLSConfig(&tls.Config{InsecureSkipVerify: true, ServerName: e.cfg.Host}))
	}
	if e.cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(e.cfg.HELO))
	}
	if e.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(e.cfg.Username), mail.WithPassword(e.cfg.Password))
	}
	c, err := mail.NewClient(e.cfg.Host, opts...)
	if err != nil {
		return Receipt{}, Abortf("email: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return Receipt{}, classifySMTP(err)
	}
	return Receipt{ProviderID: "<" + id + ">"}, nil
}

// classifySMTP marks 5xx answers (a refused recipient, a rejected
// message) permanent; connection failures and 4xx are retried.
func classifySMTP(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Abort(fmt.Errorf("email: %w", err))
	}
	var se *mail.SendError
	if errors.As(err, &se) && se.IsTemp() {
		return Retry(0, fmt.Errorf("email: %w", err))
	}
	if errors.As(err, &se) && (se.Reason == mail.ErrSMTPRcptTo || se.Reason == mail.ErrSMTPMailFrom) {
		if code := se.ErrorCode(); code >= 500 {
			return Abort(fmt.Errorf("email: %w", err))
		}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return Retry(0, fmt.Errorf("email: %w", err))
	}
	return fmt.Errorf("email: %w", err)
}

var (
	tagPattern   = regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)>|<[^>]+>`)
	linkPattern  = regexp.MustCompile(`(?is)<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>`)
	blockPattern = regexp.MustCompile(`(?i)<(br|/p|/div|/h[1-6]|/li|/tr)[^>]*>`)
	spacePattern = regexp.MustCompile(`[ \t]+`)
	linesPattern = regexp.MustCompile(`\n\s*\n\s*\n+`)
)

// PlainText makes the plain-text part of an email from its HTML: links
// keep their address, blocks become lines, tags go.
func PlainText(html string) string {
	s := linkPattern.ReplaceAllString(html, "$2 ($1)")
	s = blockPattern.ReplaceAllString(s, "$0\n")
	s = tagPattern.ReplaceAllString(s, "")
	s = strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'").Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(spacePattern.ReplaceAllString(l, " "))
	}
	return strings.TrimSpace(linesPattern.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
