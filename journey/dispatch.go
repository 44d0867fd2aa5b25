package journey

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/channel"
)

// DispatcherConfig is what the dispatcher needs.
type DispatcherConfig struct {
	Store    Store
	Profiles touchpoint.ProfileService
	Appender touchpoint.EventAppender
	Channels *channel.Registry
	Clock    touchpoint.Clock
	Logger   *slog.Logger
	// PublicURL is where customers reach this server: unsubscribe links
	// and survey links start with it.
	PublicURL string
	// RetryInitial is the pause after the first failed attempt; each
	// further one is four times longer, up to six hours.
	RetryInitial time.Duration
	// MaxAttempts is how many attempts a message gets before it is dead.
	MaxAttempts int
	// Batch is how many due messages one pass takes.
	Batch int
	// SurveyInvite, if set, makes a personal invitation to a survey for a
	// customer (the survey feature's fatigue rules apply) and returns its
	// token; the link is PublicURL/s/TOKEN. It returns ECONFLICT when the
	// customer may not be asked now. Unset, links name the survey itself.
	SurveyInvite func(ctx context.Context, workspace, surveyID, profileID, channel string) (token string, err error)
}

// Dispatcher empties the outbox: it applies the rules that hold across
// journeys (consent, suppression, quiet hours, contact budget) at send
// time, renders each message and hands it to its channel, and records the
// outcome, retrying failures with backoff until they succeed or are dead.
//
// A message is marked sending before its channel is called and sent
// after; one found still sending after a crash is sent again with the same
// idempotency key (see Reclaim). Webhooks, SMS gateways and in-app
// messages recognise the key; SMTP has none, so an email whose server
// accepted it just before a crash can arrive twice, with the same
// Message-ID, which mail systems use to de-duplicate.
type Dispatcher struct {
	cfg  DispatcherConfig
	wake chan struct{}

	mu       sync.Mutex
	versions map[string]*touchpoint.JourneyVersion
	tmpls    map[string]any
}

// NewDispatcher returns a dispatcher.
func NewDispatcher(cfg DispatcherConfig) *Dispatcher {
	if cfg.Clock == nil {
		cfg.Clock = touchpoint.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RetryInitial <= 0 {
		cfg.RetryInitial = 30 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	return &Dispatcher{cfg: cfg, wake: make(chan struct{}, 1), versions: map[string]*touchpoint.JourneyVersion{}, tmpls: map[string]any{}}
}

// SetPublicURL sets where customers reach the server, once it is known.
func (d *Dispatcher) SetPublicURL(u string) {
	d.mu.Lock()
	d.cfg.PublicURL = u
	d.mu.Unlock()
}

func (d *Dispatcher) publicURL() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.TrimRight(d.cfg.PublicURL, "/")
}

// Wake tells the dispatcher there is new work.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Reclaim puts messages a crash left in sending back in line. Call it
// once at start, before Run, while nothing else sends.
func (d *Dispatcher) Reclaim(ctx context.Context) (int, error) {
	n, err := d.cfg.Store.ReclaimSending(ctx, d.cfg.Clock.Now().UTC())
	if n > 0 {
		d.cfg.Logger.Warn("messages interrupted by a stop were put back in line; they are sent again with the same idempotency key", "messages", n)
	}
	return n, err
}

// Run sends due messages until ctx ends: when woken, and every interval.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	for {
		if _, err := d.DispatchDue(ctx); err != nil && ctx.Err() == nil {
			d.cfg.Logger.Error("dispatch messages", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-time.After(interval):
		}
	}
}

// DispatchDue sends every message that is due now and returns how many it handled.
func (d *Dispatcher) DispatchDue(ctx context.Context) (int, error) {
	total := 0
	for {
		due, err := d.cfg.Store.DueDeliveries(ctx, d.cfg.Clock.Now().UTC(), d.cfg.Batch)
		if err != nil {
			return total, err
		}
		for _, del := range due {
			if ctx.Err() != nil {
				return total, nil
			}
			if err := d.dispatch(ctx, del); err != nil {
				return total, fmt.Errorf("message %s: %w", del.ID, err)
			}
			total++
		}
		if len(due) < d.cfg.Batch {
			return total, nil
		}
	}
}

func (d *Dispatcher) version(ctx context.Context, ws, id string, v int) (*touchpoint.JourneyVersion, error) {
	key := versionKey(ws, id, v)
	d.mu.Lock()
	jv, ok := d.versions[key]
	d.mu.Unlock()
	if ok {
		return jv, nil
	}
	jv, err := d.cfg.Store.FindJourneyVersion(ctx, ws, id, v)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.versions[key] = jv // versions never change
	d.mu.Unlock()
	return jv, nil
}

// dispatch handles one due message. Its error is a store failure; what
// goes wrong with the message itself is recorded on it.
func (d *Dispatcher) dispatch(ctx context.Context, del *touchpoint.Delivery) error {
	now := d.cfg.Clock.Now().UTC()
	jv, err := d.version(ctx, del.Workspace, del.JourneyID, del.Version)
	if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
		return d.giveUp(ctx, del, now, "journey version not found")
	} else if err != nil {
		return err
	}
	n := jv.Definition.Node(del.NodeID)
	if n == nil {
		return d.giveUp(ctx, del, now, "node "+del.NodeID+" not found")
	}
	p, err := d.cfg.Profiles.FindProfile(ctx, del.Workspace, touchpoint.Identifier{Kind: touchpoint.KindProfile, Value: del.ProfileID})
	if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
		return d.skip(ctx, del, now, "profile not found")
	} else if err != nil {
		return err
	}
	settings, err := d.cfg.Store.MessagingSettings(ctx, del.Workspace)
	if err != nil {
		return err
	}
	m := &channel.Message{ID: del.ID, Workspace: del.Workspace, ProfileID: p.ID, Channel: del.Channel, At: now, AllowedHosts: settings.AllowedHosts}
	budget := BudgetCheck{Now: now}
	if del.Channel == touchpoint.ChannelWebhook {
		m.To = n.URL
	} else {
		why, err := d.rules(ctx, del, p, &settings, m, now)
		if err != nil {
			return err
		}
		if why == "quiet" {
			return nil
		}
		if why != "" {
			return d.skip(ctx, del, now, why)
		}
		budget = BudgetCheck{Count: true, Max: settings.Budget.Max, Since: now.Add(-time.Duration(settings.Budget.Per)), Now: now}
	}
	if err := d.render(ctx, del, jv, n, p, &settings, m); touchpoint.ErrorCode(err) == touchpoint.ECONFLICT {
		return d.skip(ctx, del, now, touchpoint.ErrorMessage(err)) // a survey's fatigue rules said no
	} else if err != nil {
		return d.giveUp(ctx, del, now, err.Error())
	}
	del.Recipient = m.To
	ok, err := d.cfg.Store.ClaimDelivery(ctx, del, budget)
	if touchpoint.ErrorCode(err) == touchpoint.ECONFLICT {
		return nil // handled meanwhile
	} else if err != nil {
		return err
	}
	if !ok {
		return d.skip(ctx, del, now, fmt.Sprintf("contact budget reached (%d per %s)", settings.Budget.Max, settings.Budget.Per))
	}
	s, found := d.cfg.Channels.Sender(del.Channel)
	var rc channel.Receipt
	if !found {
		err = fmt.Errorf("no %s channel is configured", del.Channel)
	} else {
		// A send that has started is finished, even when the server is
		// stopping: channels bound their own time, and an abandoned send
		// would be repeated after the restart.
		rc, err = s.Send(context.WithoutCancel(ctx), m)
	}
	at := d.cfg.Clock.Now().UTC()
	del.UpdatedAt = at
	if err == nil {
		del.Status, del.ProviderID, del.LastError, del.SentAt = touchpoint.DeliverySent, rc.ProviderID, "", &at
		// The event goes to the log before the row says sent: a crash in
		// between leaves the row sending, and it is sent again with the
		// same key rather than lost. If the log fails, the send is still
		// recorded, so it is not repeated.
		evErr := d.appendSent(ctx, del, rc, at)
		if rc.Delivered {
			if err := d.cfg.Store.AddCount(ctx, CountKey{Workspace: del.Workspace, JourneyID: del.JourneyID, Version: del.Version, NodeID: del.NodeID, Metric: "delivered"}, 1); err != nil {
				return err
			}
		}
		if err := d.cfg.Store.FinishDelivery(ctx, del, "sent", false); err != nil {
			return err
		}
		return evErr
	}
	del.LastError = truncate(err.Error(), 500)
	if channel.IsPermanent(err) || del.Attempts >= d.cfg.MaxAttempts {
		return d.dead(ctx, del, at)
	}
	del.Status = touchpoint.DeliveryPending
	del.NextAt = at.Add(d.backoff(del.Attempts, channel.RetryAfter(err)))
	d.cfg.Logger.Warn("message failed; will retry", "message", del.ID, "channel", del.Channel, "attempt", del.Attempts, "retry_at", del.NextAt, "err", err)
	return d.cfg.Store.FinishDelivery(ctx, del, "", true)
}

// appendSent records message.sent, and message.delivered when the channel
// says so, in one append.
func (d *Dispatcher) appendSent(ctx context.Context, del *touchpoint.Delivery, rc channel.Receipt, at time.Time) error {
	if d.cfg.Appender == nil {
		return nil
	}
	ev, err := messageEvent(del, "message.sent", at, map[string]any{"provider_id": rc.ProviderID})
	if err != nil {
		return err
	}
	evs := []touchpoint.Event{ev}
	if rc.Delivered {
		if ev, err = messageEvent(del, "message.delivered", at, nil); err != nil {
			return err
		}
		evs = append(evs, ev)
	}
	if err := d.cfg.Appender.Append(ctx, evs); err != nil {
		return fmt.Errorf("append message.sent: %w", err)
	}
	return nil
}

func (d *Dispatcher) backoff(attempts int, asked time.Duration) time.Duration {
	b := d.cfg.RetryInitial
	for i := 1; i < attempts && b < 6*time.Hour; i++ {
		b *= 4
	}
	return max(min(b, 6*time.Hour), asked)
}

// rules applies consent, suppression, the address and quiet hours to a
// message for a customer. It returns why not to send ("" to send,
// "quiet" when the message was held until quiet hours end).
func (d *Dispatcher) rules(ctx context.Context, del *touchpoint.Delivery, p *touchpoint.Profile, s *touchpoint.MessagingSettings, m *channel.Message, now time.Time) (string, error) {
	consents, err := d.cfg.Store.Consents(ctx, del.Workspace, p.ID)
	if err != nil {
		return "", err
	}
	status := ""
	for _, c := range consents {
		if c.Channel == del.Channel {
			status = c.Status
		}
	}
	if status == touchpoint.ConsentUnsubscribed {
		return "unsubscribed from " + del.Channel, nil
	}
	if status != touchpoint.ConsentSubscribed {
		for _, c := range s.OptInChannels {
			if c == del.Channel {
				return "no opt-in for " + del.Channel, nil
			}
		}
	}
	switch del.Channel {
	case touchpoint.ChannelEmail:
		m.To = addressOf(p, touchpoint.KindEmail)
		if m.To == "" {
			return "no email address", nil
		}
		if bad, err := d.cfg.Store.IsSuppressed(ctx, del.Workspace, touchpoint.SuppressEmail, m.To); err != nil || bad {
			return "email address suppressed", err
		}
	case touchpoint.ChannelSMS:
		m.To = addressOf(p, touchpoint.KindPhone)
		if m.To == "" {
			return "no phone number", nil
		}
		if bad, err := d.cfg.Store.IsSuppressed(ctx, del.Workspace, touchpoint.SuppressPhone, m.To); err != nil || bad {
			return "phone number suppressed", err
		}
	case touchpoint.ChannelInApp:
		m.To = p.ID
		return "", nil // shown only while the customer is on the site: no quiet hours
	default:
		return "unknown channel " + del.Channel, nil
	}
	loc := timezoneOf(p, del.Context, s.Timezone)
	if until := s.QuietHours.QuietUntil(now, loc); !until.IsZero() {
		del.NextAt, del.UpdatedAt, del.LastError = until, now, "held for quiet hours"
		return "quiet", d.cfg.Store.FinishDelivery(ctx, del, "", false)
	}
	return "", nil
}

// addressOf finds a customer's email or phone: the trait, else an identifier.
func addressOf(p *touchpoint.Profile, kind string) string {
	rules := touchpoint.DefaultIdentityRules()
	var v string
	if raw, ok := p.Traits[kind]; ok && json.Unmarshal(raw, &v) == nil && v != "" {
		if id, err := rules.Normalize(touchpoint.Identifier{Kind: kind, Value: v}); err == nil {
			return id.Value
		}
	}
	for _, id := range p.Identifiers {
		if id.Kind == kind {
			return id.Value
		}
	}
	return ""
}

func (d *Dispatcher) skip(ctx context.Context, del *touchpoint.Delivery, now time.Time, why string) error {
	del.Status, del.LastError, del.UpdatedAt = touchpoint.DeliverySkipped, why, now
	if err := appendMessageEvent(ctx, d.cfg.Appender, del, "message.skipped", now, map[string]any{"reason": why}); err != nil {
		return err
	}
	return d.cfg.Store.FinishDelivery(ctx, del, "skipped", false)
}

func (d *Dispatcher) giveUp(ctx context.Context, del *touchpoint.Delivery, now time.Time, why string) error {
	del.LastError, del.UpdatedAt = why, now
	return d.dead(ctx, del, now)
}

func (d *Dispatcher) dead(ctx context.Context, del *touchpoint.Delivery, now time.Time) error {
	del.Status = touchpoint.DeliveryDead
	d.cfg.Logger.Error("message failed for good", "message", del.ID, "channel", del.Channel, "attempts", del.Attempts, "err", del.LastError)
	if err := appendMessageEvent(ctx, d.cfg.Appender, del, "message.failed", now, map[string]any{"error": del.LastError, "attempts": del.Attempts}); err != nil {
		return err
	}
	return d.cfg.Store.FinishDelivery(ctx, del, "failed", true)
}

// TemplateData is what message templates see.
func (d *Dispatcher) templateData(ctx context.Context, del *touchpoint.Delivery, n *touchpoint.JourneyStep, p *touchpoint.Profile) (map[string]any, error) {
	data := map[string]any{
		"profile": profileVars(p),
		"event":   triggerVars(del.Context),
		"journey": map[string]any{"id": del.JourneyID, "version": del.Version, "node": del.NodeID, "enrolment_id": del.EnrolmentID},
		"message": map[string]any{"id": del.ID},
	}
	base := d.publicURL()
	ch := del.Channel
	if touchpoint.IsConsentChannel(ch) {
		secret, err := d.cfg.Store.MessagingSecret(ctx, del.Workspace)
		if err != nil {
			return nil, err
		}
		data["unsubscribe_url"] = base + "/u/" + UnsubscribeToken(secret, del.Workspace, p.ID, ch)
	}
	if n.SurveyID != "" {
		if d.cfg.SurveyInvite == nil {
			data["survey_url"] = base + "/s/" + url.PathEscape(n.SurveyID) + "?m=" + url.QueryEscape(del.ID)
		} else {
			token, err := d.cfg.SurveyInvite(ctx, del.Workspace, n.SurveyID, p.ID, del.Channel)
			if err != nil {
				return nil, err
			}
			data["survey_url"] = base + "/s/" + url.PathEscape(token)
		}
	}
	return data, nil
}

// render fills m from the node's templates.
func (d *Dispatcher) render(ctx context.Context, del *touchpoint.Delivery, jv *touchpoint.JourneyVersion, n *touchpoint.JourneyStep, p *touchpoint.Profile, s *touchpoint.MessagingSettings, m *channel.Message) error {
	data, err := d.templateData(ctx, del, n, p)
	if err != nil {
		return err
	}
	key := versionKey(jv.Workspace, jv.JourneyID, jv.Version) + "/" + n.ID
	text := func(field, src string) (string, error) {
		if src == "" {
			return "", nil
		}
		t, err := d.textTemplate(key+"/"+field, src)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return "", fmt.Errorf("node %s %s: %w", n.ID, field, err)
		}
		return strings.ReplaceAll(b.String(), "<no value>", ""), nil
	}
	if u, ok := data["unsubscribe_url"].(string); ok {
		m.UnsubscribeURL = u
	}
	if n.Type == touchpoint.NodeWebhook {
		if secret, err := d.cfg.Store.MessagingSecret(ctx, del.Workspace); err == nil {
			m.Secret = WebhookKey(secret)
		} else {
			return err
		}
		if n.Body != "" {
			body, err := text("body", n.Body)
			m.Body = []byte(body)
			return err
		}
		m.Body, err = json.Marshal(map[string]any{"id": del.ID, "journey": data["journey"], "profile": data["profile"], "event": data["event"], "sent_at": m.At})
		return err
	}
	c := n.Message
	if c == nil {
		return fmt.Errorf("node %s has no message", n.ID)
	}
	if m.Subject, err = text("subject", c.Subject); err != nil {
		return err
	}
	if m.Text, err = text("text", c.Text); err != nil {
		return err
	}
	if m.Title, err = text("title", c.Title); err != nil {
		return err
	}
	if m.URL, err = text("url", c.URL); err != nil {
		return err
	}
	if m.From, err = text("from", c.From); err != nil {
		return err
	}
	if m.From == "" {
		m.From = s.From
	}
	if c.HTML != "" {
		t, err := d.htmlTemplate(key+"/html", c.HTML)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return fmt.Errorf("node %s html: %w", n.ID, err)
		}
		m.HTML = b.String()
	}
	if del.Channel == touchpoint.ChannelEmail {
		m.Text, m.HTML = withUnsubscribe(c, m.Text, m.HTML, m.UnsubscribeURL)
	}
	return nil
}

// withUnsubscribe gives an email the unsubscribe link its template left
// out: every email carries a way out, even when its template forgot it.
// Previews call it too, so they show what is sent.
func withUnsubscribe(c *touchpoint.MessageContent, text, html, link string) (string, string) {
	if link == "" || strings.Contains(c.Text+c.HTML, "unsubscribe_url") {
		return text, html
	}
	if text == "" && html != "" {
		text = channel.PlainText(html)
	}
	text += "\n\nUnsubscribe: " + link
	if html != "" {
		html += `<p style="font-size:12px;color:#666"><a href="` + htmltemplate.HTMLEscapeString(link) + `">Unsubscribe</a></p>`
	}
	return text, html
}

func (d *Dispatcher) textTemplate(key, src string) (*texttemplate.Template, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.tmpls[key].(*texttemplate.Template); ok {
		return t, nil
	}
	t, err := texttemplate.New(key).Funcs(touchpoint.TemplateFuncs).Option("missingkey=zero").Parse(src)
	if err != nil {
		return nil, err
	}
	d.tmpls[key] = t
	return t, nil
}

func (d *Dispatcher) htmlTemplate(key, src string) (*htmltemplate.Template, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.tmpls[key].(*htmltemplate.Template); ok {
		return t, nil
	}
	t, err := htmltemplate.New(key).Funcs(htmltemplate.FuncMap(touchpoint.TemplateFuncs)).Option("missingkey=zero").Parse(src)
	if err != nil {
		return nil, err
	}
	d.tmpls[key] = t
	return t, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
