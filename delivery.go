package touchpoint

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Message channels a journey sends on. Email and SMS are the event
// channels of the same name.
const (
	ChannelWebhook = "webhook"
	ChannelInApp   = "in_app"
)

// Delivery statuses of an outbound message.
const (
	DeliveryPending = "pending" // waiting for its turn (or its retry)
	DeliverySending = "sending" // handed to the channel; the outcome is not recorded yet
	DeliverySent    = "sent"
	DeliverySkipped = "skipped" // not sent on purpose: consent, suppression, contact budget, no address
	DeliveryDead    = "dead"    // failed for good after its retries: the dead-letter state
)

// Delivery is one message in the outbox: what a journey step asked to
// send, and what became of it. Its ID is the idempotency key of the step
// ("<enrolment>.<step>"): a step repeated after a crash finds it and adds
// nothing, and channels pass it on (Message-ID, Idempotency-Key) so the
// receiving side can recognise a repeat.
type Delivery struct {
	ID          string          `json:"id"`
	Workspace   string          `json:"workspace"`
	Channel     string          `json:"channel"`
	ProfileID   string          `json:"profile_id"`
	UserID      string          `json:"user_id,omitempty"`
	JourneyID   string          `json:"journey_id"`
	Version     int             `json:"version"`
	NodeID      string          `json:"node_id"`
	EnrolmentID string          `json:"enrolment_id"`
	Status      string          `json:"status"`
	Attempts    int             `json:"attempts"`
	NextAt      time.Time       `json:"next_at"`
	LastError   string          `json:"last_error,omitempty"`
	ProviderID  string          `json:"provider_id,omitempty"`
	Recipient   string          `json:"recipient,omitempty"`
	Context     json.RawMessage `json:"context,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	SentAt      *time.Time      `json:"sent_at,omitempty"`
}

// DeliveryFilter selects deliveries.
type DeliveryFilter struct {
	Workspace string
	Status    *string
	ProfileID *string
	JourneyID *string
	Limit     int
}

// DeliveryService reads the outbox and puts dead letters back in line.
type DeliveryService interface {
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error)
	// RetryDelivery puts a dead or skipped delivery back to pending.
	// Returns ENOTFOUND, or ECONFLICT if it is not dead or skipped.
	RetryDelivery(ctx context.Context, workspace, id string) (*Delivery, error)
}

// MessagingSettings are a workspace's rules for contacting customers,
// across every channel and journey.
type MessagingSettings struct {
	// Budget caps messages to one customer within a window, across email,
	// SMS, in-app and survey messages of every journey (webhooks do not
	// reach the customer and do not count). Max 0 means no cap.
	Budget ContactBudget `json:"budget"`
	// QuietHours holds messages sent between Start and End in the
	// customer's local time until End. Empty means none.
	QuietHours QuietHours `json:"quiet_hours"`
	// Timezone is used for customers whose timezone is not known (IANA
	// name, default UTC).
	Timezone string `json:"timezone"`
	// OptInChannels need an explicit subscription before anything is sent
	// on them; other channels need only the absence of an unsubscribe.
	OptInChannels []string `json:"opt_in_channels"`
	// AllowedHosts are outbound hosts an admin allows even though they
	// resolve to loopback, private or link-local addresses (e.g. an
	// internal CRM). Each is a host name or IP, optionally with :port.
	AllowedHosts []string `json:"allowed_hosts"`
	// From is the default sender of emails.
	From string `json:"from"`
}

// ContactBudget is "at most Max messages per Per".
type ContactBudget struct {
	Max int      `json:"max"`
	Per Duration `json:"per"`
}

// QuietHours is a daily window in local time ("21:00" to "08:00").
type QuietHours struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// DefaultMessagingSettings are a new workspace's rules: at most 3
// messages a week, quiet from 21:00 to 08:00, SMS only with opt-in.
func DefaultMessagingSettings() MessagingSettings {
	return MessagingSettings{
		Budget:        ContactBudget{Max: 3, Per: Duration(7 * 24 * time.Hour)},
		QuietHours:    QuietHours{Start: "21:00", End: "08:00"},
		Timezone:      "UTC",
		OptInChannels: []string{ChannelSMS},
		AllowedHosts:  []string{},
	}
}

// Validate names the first bad setting.
func (s *MessagingSettings) Validate() error {
	if s.Budget.Max < 0 || s.Budget.Max > 1000 {
		return FieldError("budget.max", "must be between 0 (no cap) and 1000")
	}
	if s.Budget.Max > 0 && s.Budget.Per <= 0 {
		return FieldError("budget.per", "required with a budget: the window, e.g. 7d")
	}
	if (s.QuietHours.Start == "") != (s.QuietHours.End == "") {
		return FieldError("quiet_hours", "give both start and end, or neither")
	}
	for f, v := range map[string]string{"quiet_hours.start": s.QuietHours.Start, "quiet_hours.end": s.QuietHours.End} {
		if v != "" && !timeOfDayPattern.MatchString(v) {
			return FieldError(f, "must be HH:MM (24-hour)")
		}
	}
	if s.Timezone == "" {
		s.Timezone = "UTC"
	}
	if _, err := time.LoadLocation(s.Timezone); err != nil {
		return FieldError("timezone", "unknown timezone %q (want an IANA name such as Europe/Paris)", s.Timezone)
	}
	for _, c := range s.OptInChannels {
		if !IsConsentChannel(c) {
			return FieldError("opt_in_channels", "unknown channel %q (want email, sms or in_app)", c)
		}
	}
	for i, h := range s.AllowedHosts {
		if strings.TrimSpace(h) == "" || strings.ContainsAny(h, "/ ") {
			return FieldError(fmt.Sprintf("allowed_hosts[%d]", i), "%q is not a host or host:port", h)
		}
	}
	if s.From != "" && !strings.Contains(s.From, "@") {
		return FieldError("from", "%q is not an email address", s.From)
	}
	return nil
}

// MessagingSettingsService keeps each workspace's messaging settings.
type MessagingSettingsService interface {
	// MessagingSettings returns the settings (the defaults if never set).
	MessagingSettings(ctx context.Context, workspace string) (MessagingSettings, error)
	// SetMessagingSettings replaces them. Returns EINVALID naming the bad one.
	SetMessagingSettings(ctx context.Context, workspace string, s MessagingSettings) error
}

// ParseTimeOfDay reads "HH:MM" as minutes after midnight.
func ParseTimeOfDay(s string) (int, error) {
	if !timeOfDayPattern.MatchString(s) {
		return 0, FieldError("time_of_day", "must be HH:MM (24-hour), e.g. 09:00")
	}
	return int(s[0]-'0')*600 + int(s[1]-'0')*60 + int(s[3]-'0')*10 + int(s[4]-'0'), nil
}

// NextTimeOfDay returns the first instant at or after now when the local
// clock in loc shows hh:mm. A time that does not exist that day (a
// daylight-saving gap) moves forward as time.Date moves it.
func NextTimeOfDay(now time.Time, loc *time.Location, minutes int) time.Time {
	local := now.In(loc)
	t := time.Date(local.Year(), local.Month(), local.Day(), minutes/60, minutes%60, 0, 0, loc)
	if t.Before(now) {
		t = time.Date(local.Year(), local.Month(), local.Day()+1, minutes/60, minutes%60, 0, 0, loc)
	}
	return t.UTC()
}

// QuietUntil returns when quiet hours end if now falls inside them in
// loc, or the zero time if sending is allowed now.
func (q QuietHours) QuietUntil(now time.Time, loc *time.Location) time.Time {
	if q.Start == "" || q.End == "" {
		return time.Time{}
	}
	start, err1 := ParseTimeOfDay(q.Start)
	end, err2 := ParseTimeOfDay(q.End)
	if err1 != nil || err2 != nil || start == end {
		return time.Time{}
	}
	local := now.In(loc)
	m := local.Hour()*60 + local.Minute()
	inside := false
	if start < end {
		inside = m >= start && m < end
	} else { // across midnight, e.g. 21:00-08:00
		inside = m >= start || m < end
	}
	if !inside {
		return time.Time{}
	}
	return NextTimeOfDay(now, loc, end)
}
