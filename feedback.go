package touchpoint

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint/internal/jsonpath"
)

// Events that carry feedback. The feedback engine turns each into a
// feedback item; see docs/EVENTS.md.
const (
	EventSurveyResponded  = "Survey Responded"
	EventFeedbackReceived = "Feedback Received"
	EventSurveySent       = "survey.sent"
)

// Feedback kinds: what a piece of feedback is.
const (
	KindSurvey = "survey"
	KindTicket = "ticket"
	KindReview = "review"
	KindOther  = "other"
)

// Feedback is one thing a customer told the company: a survey response, a
// support ticket, a review. Every source lands here in the same shape,
// attributed to the customer by the identifiers it came with.
type Feedback struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	// EventID is the log event the item was made from.
	EventID string `json:"event_id"`
	// Source is "survey", an inbound webhook's id, or "import".
	Source  string `json:"source"`
	Kind    string `json:"kind"`
	Channel string `json:"channel"`
	// SurveyType classifies the score for metrics (nps, csat, ces…), for
	// surveys and for other sources whose mapping says what their score is.
	SurveyType   string   `json:"survey_type,omitempty"`
	SurveyID     string   `json:"survey_id,omitempty"`
	ResponseID   string   `json:"response_id,omitempty"`
	InvitationID string   `json:"invitation_id,omitempty"`
	Title        string   `json:"title,omitempty"`
	Text         string   `json:"text,omitempty"`
	Score        *float64 `json:"score,omitempty"`
	MaxScore     *float64 `json:"max_score,omitempty"`
	Complete     bool     `json:"complete"`
	// Language is the language of the text when there is one (detected),
	// else the language the survey was shown in.
	Language       string   `json:"language,omitempty"`
	Sentiment      string   `json:"sentiment,omitempty"`
	SentimentScore *float64 `json:"sentiment_score,omitempty"`
	Topics         []string `json:"topics"`
	// Touchpoint is the experience the feedback is about: named by the
	// survey or the sender, else the customer's last event before it.
	Touchpoint        string            `json:"touchpoint,omitempty"`
	TouchpointChannel string            `json:"touchpoint_channel,omitempty"`
	Preceding         []TouchpointEvent `json:"preceding"`
	UserID            string            `json:"user_id,omitempty"`
	AnonymousID       string            `json:"anonymous_id,omitempty"`
	Email             string            `json:"email,omitempty"`
	// ProfileID is filled when the item is read, from the identifiers, so
	// it follows merges.
	ProfileID  string    `json:"profile_id,omitempty"`
	ExternalID string    `json:"external_id,omitempty"`
	Flags      []string  `json:"flags"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Seq is the log sequence of the event the item was last made from;
	// an older event never overwrites a newer one.
	Seq uint64 `json:"-"`
}

// TouchpointEvent is one of the customer's events before the feedback.
type TouchpointEvent struct {
	EventID   string    `json:"event_id"`
	Name      string    `json:"name"`
	Channel   string    `json:"channel,omitempty"`
	Timestamp time.Time `json:"timestamp"`
}

// PrecedingQuery asks for a customer's touchpoints before a moment: the
// feedback item ID, the identifiers it came with and when it was given.
type PrecedingQuery struct {
	ID          string
	UserID      string
	AnonymousID string
	At          time.Time
}

// TouchpointName is how an event is named as a touchpoint: a track
// call's event name, "page: …" or "screen: …".
func TouchpointName(typ EventType, event, name string) string {
	switch typ {
	case TypeTrack:
		return event
	case TypePage, TypeScreen:
		if name == "" {
			return string(typ)
		}
		return string(typ) + ": " + name
	}
	return ""
}

// IsTouchpoint reports whether an event counts as a touchpoint before
// feedback: tracks, pages and screens, except feedback itself and the
// survey's own delivery.
func IsTouchpoint(typ EventType, event string) bool {
	switch typ {
	case TypeTrack:
		return event != EventSurveyResponded && event != EventFeedbackReceived && !strings.HasPrefix(event, "survey.")
	case TypePage, TypeScreen:
		return true
	}
	return false
}

// FeedbackFilter selects feedback items, newest first.
type FeedbackFilter struct {
	Workspace string
	Source    *string
	Kind      *string
	Channel   *string
	SurveyID  *string
	Sentiment *string
	Language  *string
	Topic     *string
	// Customer selects items of these identifiers (a profile's ids).
	UserIDs, AnonymousIDs, Emails []string
	// Flagged selects flagged (true) or unflagged (false) items.
	Flagged  *bool
	HasText  *bool
	MinScore *float64
	MaxScore *float64
	// Q finds items whose text contains it.
	Q     string
	Since *time.Time
	Until *time.Time
	// Before pages: items older than the item with this id.
	Before string
	Limit  int
}

// Limits of feedback reads.
const (
	DefaultFeedbackLimit = 50
	MaxFeedbackLimit     = 500
)

// TopicCount is how often a topic comes up in feedback, by sentiment,
// with a few recent examples.
type TopicCount struct {
	Topic    string      `json:"topic"`
	Count    int64       `json:"count"`
	Positive int64       `json:"positive"`
	Neutral  int64       `json:"neutral"`
	Negative int64       `json:"negative"`
	Examples []*Feedback `json:"examples"`
}

// FeedbackService reads feedback items and manages inbound webhooks.
type FeedbackService interface {
	// FeedbackTopics counts the topics of matching items (filtered by
	// source, kind, channel, survey, language, flagged and time), most common
	// first, each with up to three recent examples. f.Limit caps the
	// topics (default 20).
	FeedbackTopics(ctx context.Context, f FeedbackFilter) ([]TopicCount, error)

	// FindFeedback returns matching items, newest first.
	// Returns EINVALID for a bad limit.
	FindFeedback(ctx context.Context, f FeedbackFilter) ([]*Feedback, error)

	// FindFeedbackItem returns one item. Returns ENOTFOUND.
	FindFeedbackItem(ctx context.Context, workspace, id string) (*Feedback, error)

	// CreateFeedbackHook stores h with a new ID and Secret.
	// Returns EINVALID naming the bad field.
	CreateFeedbackHook(ctx context.Context, h *FeedbackHook) error

	// FindFeedbackHook returns a hook by id, from any workspace (the hook
	// URL names no workspace). Returns ENOTFOUND.
	FindFeedbackHook(ctx context.Context, id string) (*FeedbackHook, error)

	// FindFeedbackHooks lists a workspace's hooks, oldest first.
	FindFeedbackHooks(ctx context.Context, workspace string) ([]*FeedbackHook, error)

	// UpdateFeedbackHook replaces a hook's name, kind, auth and mapping.
	// Returns ENOTFOUND, EINVALID.
	UpdateFeedbackHook(ctx context.Context, h *FeedbackHook) error

	// RevokeFeedbackHook stops a hook from accepting calls (final).
	// Returns ENOTFOUND.
	RevokeFeedbackHook(ctx context.Context, workspace, id string) (*FeedbackHook, error)
}

// Hook authentication schemes.
const (
	// HookToken: the secret itself, as "Authorization: Bearer <secret>" or
	// in the header named by Auth.Header.
	HookToken = "token"
	// HookHMAC: an HMAC-SHA256 of the body (prefixed with a timestamp
	// header's value when Auth.TimestampHeader is set) with the secret, in
	// Auth.Header, hex or base64, after an optional prefix ("sha256=").
	HookHMAC = "hmac_sha256"
)

// FeedbackHook is an inbound webhook that turns another system's calls
// (helpdesk tickets, reviews) into feedback: POST /hooks/{id}.
type FeedbackHook struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	Name      string `json:"name"`
	// Kind is what the hook receives: ticket, review or other.
	Kind string `json:"kind"`
	// Channel is recorded on the feedback (support for tickets, review for
	// reviews unless set).
	Channel string          `json:"channel"`
	Auth    HookAuth        `json:"auth"`
	Mapping FeedbackMapping `json:"mapping"`
	// Secret authenticates calls. It is shown to admins, who must paste it
	// into the sending system.
	Secret    string     `json:"secret"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// HookAuth says how a hook's calls prove they come from the sender.
type HookAuth struct {
	Scheme string `json:"scheme"`
	// Header holds the token or signature (default Authorization for
	// token, X-Signature for hmac_sha256).
	Header string `json:"header,omitempty"`
	// Encoding of the signature: hex (default) or base64.
	Encoding string `json:"encoding,omitempty"`
	// Prefix before the signature in the header, e.g. "sha256=".
	Prefix string `json:"prefix,omitempty"`
	// TimestampHeader, if set, holds a timestamp that is signed before the
	// body (as Zendesk does) and must be within 5 minutes of now when it is
	// a unix time or an RFC 3339 time.
	TimestampHeader string `json:"timestamp_header,omitempty"`
}

// FeedbackMapping says where a call's fields are, as JSON paths into its
// body ("ticket.requester.email", "reviews[0].rating", "$.id"). For CSV
// imports the paths are column names.
type FeedbackMapping struct {
	// Each, if set, is the path of an array each of whose items is one
	// piece of feedback; the other paths are then relative to the item.
	Each       string `json:"each,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	// Text paths are joined with blank lines (a subject and a body).
	Text  []string `json:"text,omitempty"`
	Title string   `json:"title,omitempty"`
	Score string   `json:"score,omitempty"`
	// ScoreMap turns text scores into numbers ("good": 5, "bad": 1).
	ScoreMap map[string]float64 `json:"score_map,omitempty"`
	// MaxScore is the top of the score's scale (5 if unset and a score is mapped).
	MaxScore float64 `json:"max_score,omitempty"`
	// SurveyType classifies the score for metrics: csat, nps, ces,
	// product_satisfaction or rating; empty keeps it out of CX metrics.
	SurveyType string `json:"survey_type,omitempty"`
	Email      string `json:"email,omitempty"`
	UserID     string `json:"user_id,omitempty"`
	Phone      string `json:"phone,omitempty"`
	// CustomerID is the sender's own id of the customer (a Zendesk user
	// id), kept as an external identifier of kind "<hook name>_id".
	CustomerID string `json:"customer_id,omitempty"`
	CreatedAt  string `json:"created_at,omitempty"`
	Language   string `json:"language,omitempty"`
	Touchpoint string `json:"touchpoint,omitempty"`
	// Properties copies more fields onto the event, by property name.
	Properties map[string]string `json:"properties,omitempty"`
}

var hookNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Normalize fills a hook's defaults.
func (h *FeedbackHook) Normalize() {
	if h.Kind == "" {
		h.Kind = KindTicket
	}
	if h.Channel == "" {
		h.Channel = map[string]string{KindTicket: ChannelSupport, KindReview: ChannelReview}[h.Kind]
		if h.Channel == "" {
			h.Channel = ChannelServer
		}
	}
	if h.Auth.Scheme == "" {
		h.Auth.Scheme = HookToken
	}
	if h.Auth.Header == "" {
		h.Auth.Header = map[string]string{HookToken: "Authorization", HookHMAC: "X-Signature"}[h.Auth.Scheme]
	}
	if h.Auth.Scheme == HookHMAC && h.Auth.Encoding == "" {
		h.Auth.Encoding = "hex"
	}
	if h.Mapping.Score != "" && h.Mapping.MaxScore == 0 {
		h.Mapping.MaxScore = 5
	}
}

// Validate names the first bad field.
func (h *FeedbackHook) Validate() error {
	if h.Workspace == "" {
		return FieldError("workspace", "required")
	}
	if !hookNamePattern.MatchString(h.Name) {
		return FieldError("name", "must be 1-40 lower-case letters, digits or '_', starting with a letter (e.g. zendesk)")
	}
	if !slices.Contains([]string{KindTicket, KindReview, KindOther}, h.Kind) {
		return FieldError("kind", "must be ticket, review or other")
	}
	if h.Channel == "" || len(h.Channel) > 40 {
		return FieldError("channel", "required, at most 40 characters")
	}
	switch h.Auth.Scheme {
	case HookToken, HookHMAC:
	default:
		return FieldError("auth.scheme", "must be token or hmac_sha256")
	}
	if h.Auth.Scheme == HookHMAC && h.Auth.Encoding != "hex" && h.Auth.Encoding != "base64" {
		return FieldError("auth.encoding", "must be hex or base64")
	}
	return h.Mapping.Validate("mapping.")
}

// Validate names the first bad field of a mapping, prefixed with prefix.
// Paths are JSON paths (see internal/jsonpath).
func (m *FeedbackMapping) Validate(prefix string) error {
	if len(m.Text) == 0 && m.Score == "" {
		return FieldError(prefix+"text", "map text, score or both")
	}
	if m.Email == "" && m.UserID == "" && m.Phone == "" && m.CustomerID == "" {
		return FieldError(prefix+"email", "map at least one of email, user_id, phone or customer_id, so feedback finds its customer")
	}
	paths := []struct{ name, path string }{
		{"each", m.Each}, {"external_id", m.ExternalID}, {"title", m.Title}, {"score", m.Score}, {"email", m.Email},
		{"user_id", m.UserID}, {"phone", m.Phone}, {"customer_id", m.CustomerID}, {"created_at", m.CreatedAt},
		{"language", m.Language}, {"touchpoint", m.Touchpoint},
	}
	for i, p := range m.Text {
		paths = append(paths, struct{ name, path string }{fmt.Sprintf("text[%d]", i), p})
		if p == "" {
			return FieldError(prefix+fmt.Sprintf("text[%d]", i), "empty path")
		}
	}
	for k, p := range m.Properties {
		if !hookNamePattern.MatchString(k) {
			return FieldError(prefix+"properties."+k, "property names are lower-case letters, digits and '_'")
		}
		paths = append(paths, struct{ name, path string }{"properties." + k, p})
	}
	for _, p := range paths {
		if p.path == "" {
			continue
		}
		if _, err := jsonpath.Parse(p.path); err != nil {
			return FieldError(prefix+p.name, "%s", err.Error())
		}
	}
	if m.MaxScore < 0 || m.MaxScore > 1000 || math.IsNaN(m.MaxScore) {
		return FieldError(prefix+"max_score", "must be between 0 and 1000")
	}
	if m.SurveyType != "" && !slices.Contains([]string{"nps", "csat", "ces", "product_satisfaction", "rating"}, m.SurveyType) {
		return FieldError(prefix+"survey_type", "must be nps, csat, ces, product_satisfaction or rating")
	}
	if m.SurveyType != "" && m.Score == "" {
		return FieldError(prefix+"score", "required with survey_type")
	}
	return nil
}
