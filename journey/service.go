package journey

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// The Engine is also the Orchestrator the API calls.
var _ touchpoint.Orchestrator = (*Engine)(nil)

// Enrol puts a customer into a live journey now.
func (e *Engine) Enrol(ctx context.Context, workspace, journeyID string, id touchpoint.Identifier, properties json.RawMessage) (*touchpoint.Enrolment, error) {
	j, err := e.cfg.Store.FindJourney(ctx, workspace, journeyID)
	if err != nil {
		return nil, err
	}
	if j.Status != touchpoint.JourneyLive {
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "journey %q is %s: publish it before enrolling customers", journeyID, j.Status)
	}
	p, err := e.cfg.Profiles.FindProfile(ctx, workspace, id)
	if err != nil {
		return nil, err
	}
	if len(properties) > 0 && !json.Valid(properties) {
		return nil, touchpoint.FieldError("properties", "must be a JSON object")
	}
	e.Forget() // the journey may have been published a moment ago
	cat, err := e.catalog(ctx)
	if err != nil {
		return nil, err
	}
	cv := cat.versions[versionKey(workspace, journeyID, j.ActiveVersion)]
	if cv == nil {
		return nil, touchpoint.Errorf(touchpoint.EINTERNAL, "journey %s version %d cannot run", journeyID, j.ActiveVersion)
	}
	now := e.cfg.Clock.Now().UTC()
	cause := "api:" + rand.Text()
	ev := &touchpoint.Event{ID: cause, Workspace: workspace, Type: touchpoint.TypeTrack, Event: "journey.enrol", Properties: properties, Timestamp: now}
	var en *touchpoint.Enrolment
	var why string
	enqueued := false
	err = e.cfg.Store.UpdateJourneys(ctx, func(tx Tx) error {
		r := e.newRun(ctx, tx, cat)
		r.profiles[p.ID] = p
		en, why = r.enrol(cv, p.ID, userIDOf(p), ev, enrolmentID(cv.v, p.ID, cause))
		enqueued = r.enqueued
		return r.flush()
	})
	if err != nil {
		return nil, err
	}
	if enqueued && e.cfg.Enqueued != nil {
		e.cfg.Enqueued()
	}
	if en == nil {
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "profile %s not enrolled: %s", p.ID, why)
	}
	return en, nil
}

// CheckURL vets an outbound URL against the workspace's allowed hosts.
func (e *Engine) CheckURL(ctx context.Context, workspace, rawURL string) error {
	if e.cfg.CheckURL == nil {
		return nil
	}
	s, err := e.cfg.Store.MessagingSettings(ctx, workspace)
	if err != nil {
		return err
	}
	return e.cfg.CheckURL(ctx, s.AllowedHosts, rawURL)
}

// RecordConsent stores a consent answer and records the change in the log.
func (e *Engine) RecordConsent(ctx context.Context, c *touchpoint.Consent) (bool, error) {
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = e.cfg.Clock.Now().UTC()
	}
	p, err := e.cfg.Profiles.FindProfile(ctx, c.Workspace, touchpoint.Identifier{Kind: touchpoint.KindProfile, Value: c.ProfileID})
	if err != nil {
		return false, err
	}
	c.ProfileID = p.ID
	changed, err := e.cfg.Store.SetConsent(ctx, c)
	if err != nil || !changed {
		return changed, err
	}
	ev, err := c.Event(userIDOf(p)).Build()
	if err != nil {
		return true, err
	}
	if e.cfg.Appender != nil {
		if err := e.cfg.Appender.Append(ctx, []touchpoint.Event{ev}); err != nil {
			return true, fmt.Errorf("record consent event: %w", err)
		}
	}
	return true, nil
}

// WebhookKey is the key webhooks are signed with, derived from the
// workspace's secret so that a receiver holding it cannot sign anything
// else (unsubscribe links use the secret itself).
func WebhookKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("webhook-signing"))
	return m.Sum(nil)
}

// WebhookSecret returns the workspace's webhook signing key, hex-encoded,
// for receivers to verify Touchpoint-Signature.
func (e *Engine) WebhookSecret(ctx context.Context, workspace string) (string, error) {
	secret, err := e.cfg.Store.MessagingSecret(ctx, workspace)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(WebhookKey(secret)), nil
}

// UnsubscribeToken signs (workspace, profile, channel) for an unsubscribe
// link that works without signing in.
func UnsubscribeToken(secret []byte, workspace, profileID, channel string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(workspace + "\x00" + profileID + "\x00" + channel))
	return payload + "." + sign(secret, payload)
}

func sign(secret []byte, payload string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("unsubscribe:" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// Unsubscribe acts on an unsubscribe link's token.
func (e *Engine) Unsubscribe(ctx context.Context, token string) (*touchpoint.Consent, error) {
	bad := touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "this unsubscribe link is not valid")
	payload, mac, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 {
		return nil, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 {
		return nil, bad
	}
	secret, err := e.cfg.Store.MessagingSecret(ctx, parts[0])
	if err != nil {
		return nil, bad
	}
	if !hmac.Equal([]byte(sign(secret, payload)), []byte(mac)) {
		return nil, bad
	}
	c := &touchpoint.Consent{Workspace: parts[0], ProfileID: parts[1], Channel: parts[2], Status: touchpoint.ConsentUnsubscribed,
		Source: "unsubscribe_link", UpdatedBy: "customer"}
	if _, err := e.RecordConsent(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// inAppTTL is how long an in-app message waits for the customer.
const inAppTTL = 30 * 24 * time.Hour

// InApp returns a customer's pending in-app messages and marks them delivered.
func (e *Engine) InApp(ctx context.Context, workspace string, id touchpoint.Identifier) ([]*touchpoint.InAppMessage, error) {
	p, err := e.cfg.Profiles.FindProfile(ctx, workspace, id)
	if err != nil {
		return nil, err
	}
	now := e.cfg.Clock.Now().UTC()
	msgs, fresh, err := e.cfg.Store.PendingInApp(ctx, workspace, append([]string{p.ID}, p.MergedFrom...), now)
	if err != nil {
		return nil, err
	}
	for _, mid := range fresh {
		if err := e.deliveryEvent(ctx, workspace, mid, "message.delivered", "delivered", now); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// SeenInApp marks an in-app message seen.
func (e *Engine) SeenInApp(ctx context.Context, workspace string, id touchpoint.Identifier, messageID string) error {
	p, err := e.cfg.Profiles.FindProfile(ctx, workspace, id)
	if err != nil {
		return err
	}
	now := e.cfg.Clock.Now().UTC()
	ok, err := e.cfg.Store.SeenInApp(ctx, workspace, append([]string{p.ID}, p.MergedFrom...), messageID, now)
	if err != nil {
		return err
	}
	if !ok {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "in-app message %q not found", messageID)
	}
	return e.deliveryEvent(ctx, workspace, messageID, "message.opened", "", now)
}

// deliveryEvent records what happened to a delivered message later on
// (delivered to the widget, opened), with its counter.
func (e *Engine) deliveryEvent(ctx context.Context, workspace, deliveryID, name, metric string, at time.Time) error {
	d, err := e.cfg.Store.FindDelivery(ctx, workspace, deliveryID)
	if err != nil {
		return err
	}
	if metric != "" {
		if err := e.cfg.Store.AddCount(ctx, CountKey{Workspace: workspace, JourneyID: d.JourneyID, Version: d.Version, NodeID: d.NodeID, Metric: metric}, 1); err != nil {
			return err
		}
	}
	return appendMessageEvent(ctx, e.cfg.Appender, d, name, at, nil)
}

// appendMessageEvent records a message.* event about a delivery.
func appendMessageEvent(ctx context.Context, a touchpoint.EventAppender, d *touchpoint.Delivery, name string, at time.Time, extra map[string]any) error {
	if a == nil {
		return nil
	}
	ev, err := messageEvent(d, name, at, extra)
	if err != nil {
		return err
	}
	if err := a.Append(ctx, []touchpoint.Event{ev}); err != nil {
		return fmt.Errorf("append %s: %w", name, err)
	}
	return nil
}

// messageEvent builds a message.* event about a delivery; its id is
// derived from the delivery and the event, so recording it twice stores it once.
func messageEvent(d *touchpoint.Delivery, name string, at time.Time, extra map[string]any) (touchpoint.Event, error) {
	props := map[string]any{"message_id": d.ID, "journey_id": d.JourneyID, "journey_version": d.Version, "enrolment_id": d.EnrolmentID, "node_id": d.NodeID, "template": d.NodeID}
	for k, v := range extra {
		props[k] = v
	}
	channel := d.Channel
	return touchpoint.PlatformEvent{ID: "msg:" + d.ID + ":" + strings.TrimPrefix(name, "message."), Workspace: d.Workspace, ProfileID: d.ProfileID, UserID: d.UserID,
		Event: name, Channel: channel, Properties: props, Timestamp: at}.Build()
}
