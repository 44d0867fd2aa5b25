package touchpoint

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Consent statuses.
const (
	ConsentSubscribed   = "subscribed"
	ConsentUnsubscribed = "unsubscribed"
)

// IsConsentChannel reports whether customers give or withdraw consent on
// channel: the channels that reach them.
func IsConsentChannel(channel string) bool {
	switch channel {
	case ChannelEmail, ChannelSMS, ChannelInApp:
		return true
	}
	return false
}

// Consent is a customer's answer for one channel: whether Touchpoint may
// contact them there, where the answer came from and when. Every change
// is also recorded in the log as a consent.changed event.
type Consent struct {
	Workspace string `json:"workspace"`
	ProfileID string `json:"profile_id"`
	Channel   string `json:"channel"`
	Status    string `json:"status"`
	// Source says where the answer came from: "unsubscribe_link",
	// "api", "import", "preference_centre", "support"…
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// Validate names the first bad field.
func (c *Consent) Validate() error {
	if c.ProfileID == "" {
		return FieldError("profile_id", "required")
	}
	if !IsConsentChannel(c.Channel) {
		return FieldError("channel", "unknown channel %q (want email, sms or in_app)", c.Channel)
	}
	if c.Status != ConsentSubscribed && c.Status != ConsentUnsubscribed {
		return FieldError("status", "must be subscribed or unsubscribed")
	}
	if strings.TrimSpace(c.Source) == "" {
		return FieldError("source", "required: where the answer came from (e.g. api, preference_centre)")
	} else if len(c.Source) > 100 {
		return FieldError("source", "must be at most 100 characters")
	}
	return nil
}

// Event returns the consent.changed event recording c.
func (c *Consent) Event(userID string) PlatformEvent {
	return PlatformEvent{
		ID:        fmt.Sprintf("consent:%s:%s:%d", c.ProfileID, c.Channel, c.UpdatedAt.UnixNano()),
		Workspace: c.Workspace, ProfileID: c.ProfileID, UserID: userID,
		Event: "consent.changed", Channel: c.Channel, Timestamp: c.UpdatedAt,
		Properties: map[string]any{"channel": c.Channel, "status": c.Status, "source": c.Source},
	}
}

// Suppression kinds.
const (
	SuppressEmail = "email"
	SuppressPhone = "phone"
)

// Suppression keeps an address from ever being sent to, whoever holds it:
// hard bounces, complaints, legal requests, staff.
type Suppression struct {
	Workspace string    `json:"workspace"`
	Kind      string    `json:"kind"`
	Value     string    `json:"value"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// Normalize checks and normalises the address (emails lower-cased, phones
// in E.164). Returns EINVALID naming the field.
func (s *Suppression) Normalize() error {
	var kind string
	switch s.Kind {
	case SuppressEmail:
		kind = KindEmail
	case SuppressPhone:
		kind = KindPhone
	default:
		return FieldError("kind", "must be email or phone")
	}
	id, err := DefaultIdentityRules().Normalize(Identifier{Kind: kind, Value: s.Value})
	if err != nil {
		return FieldError("value", "%q is not a valid %s", s.Value, s.Kind)
	}
	s.Value = id.Value
	if len(s.Reason) > 200 {
		return FieldError("reason", "must be at most 200 characters")
	}
	return nil
}

// ConsentService keeps consent and suppression lists.
type ConsentService interface {
	// Consents returns a profile's answers, one per channel that has one.
	Consents(ctx context.Context, workspace, profileID string) ([]*Consent, error)

	// SetConsent records an answer. It reports whether anything changed
	// (the same status again from the same source changes nothing).
	// Returns EINVALID naming the bad field.
	SetConsent(ctx context.Context, c *Consent) (changed bool, err error)

	// Suppressions lists the workspace's suppressed addresses.
	Suppressions(ctx context.Context, workspace string) ([]*Suppression, error)

	// AddSuppression suppresses an address (adding it twice keeps the first).
	AddSuppression(ctx context.Context, s *Suppression) error

	// RemoveSuppression lifts one. Returns ENOTFOUND if it is not there.
	RemoveSuppression(ctx context.Context, workspace, kind, value string) error
}
