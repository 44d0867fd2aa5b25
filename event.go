package touchpoint

import (
	"context"
	"encoding/json"
	"time"
)

// EventType is the kind of Segment call an event came from.
type EventType string

// The six Segment call types.
const (
	TypeTrack    EventType = "track"
	TypeIdentify EventType = "identify"
	TypePage     EventType = "page"
	TypeScreen   EventType = "screen"
	TypeGroup    EventType = "group"
	TypeAlias    EventType = "alias"
)

// Valid reports whether t is one of the six call types.
func (t EventType) Valid() bool {
	switch t {
	case TypeTrack, TypeIdentify, TypePage, TypeScreen, TypeGroup, TypeAlias:
		return true
	}
	return false
}

// Channels a touchpoint can happen on. Sources may declare their own channel
// names; these are the ones Touchpoint itself knows and derives.
const (
	ChannelWeb        = "web"
	ChannelApp        = "app"
	ChannelServer     = "server"
	ChannelEmail      = "email"
	ChannelSMS        = "sms"
	ChannelStore      = "store"
	ChannelCallCenter = "call_center"
	ChannelSupport    = "support"
	ChannelSurvey     = "survey"
	ChannelReview     = "review"
	ChannelImport     = "import"
)

// Event is one touchpoint as it is kept in the log and the warehouse: a
// Segment call, validated, bound to a workspace and source, with its times
// corrected the way Segment corrects them.
//
// ID is the caller's messageId (or one Touchpoint generated); together with
// Workspace it identifies the event, and every consumer of the log is
// idempotent on it, so a replayed call adds nothing.
type Event struct {
	ID          string    `json:"messageId"`
	Workspace   string    `json:"workspace"`
	SourceID    string    `json:"sourceId,omitempty"`
	Type        EventType `json:"type"`
	Event       string    `json:"event,omitempty"`
	Name        string    `json:"name,omitempty"`
	Category    string    `json:"category,omitempty"`
	UserID      string    `json:"userId,omitempty"`
	AnonymousID string    `json:"anonymousId,omitempty"`
	GroupID     string    `json:"groupId,omitempty"`
	PreviousID  string    `json:"previousId,omitempty"`
	Channel     string    `json:"channel,omitempty"`

	// Timestamp is when the event happened, corrected for client clock skew:
	// receivedAt - (sentAt - originalTimestamp) when the client sent sentAt.
	Timestamp time.Time `json:"timestamp"`
	// OriginalTimestamp is the time the client claimed, uncorrected.
	OriginalTimestamp time.Time `json:"originalTimestamp,omitzero"`
	SentAt            time.Time `json:"sentAt,omitzero"`
	ReceivedAt        time.Time `json:"receivedAt"`

	Properties   json.RawMessage `json:"properties,omitempty"`
	Traits       json.RawMessage `json:"traits,omitempty"`
	Context      json.RawMessage `json:"context,omitempty"`
	Integrations json.RawMessage `json:"integrations,omitempty"`
}

// EventFilter selects stored events. Nil fields do not filter.
type EventFilter struct {
	Workspace   string
	UserID      *string
	AnonymousID *string
	Type        *EventType
	Event       *string
	// Limit caps the number of events returned; 0 means DefaultEventLimit.
	Limit int
}

// Limits on event reads.
const (
	DefaultEventLimit = 100
	MaxEventLimit     = 10000
)

// Stats are counts as visible to queries at the moment they are asked.
type Stats struct {
	EventsTotal   int64 `json:"events_total"`
	ProfilesTotal int64 `json:"profiles_total"`
	// Pipeline tells how far the analytics store has read the log, so a
	// caller can tell "not there yet" from "not there".
	Pipeline PipelineStats `json:"pipeline"`
}

// PipelineStats compares the head of the log with what analytics has applied.
type PipelineStats struct {
	LogSequence       uint64 `json:"log_sequence"`
	AnalyticsSequence uint64 `json:"analytics_sequence"`
	IdentitySequence  uint64 `json:"identity_sequence"`
	FeedbackSequence  uint64 `json:"feedback_sequence"`
	// SegmentsSequence is how far segment membership has followed the log.
	SegmentsSequence uint64 `json:"segments_sequence"`
	// IdentityChangeSequence numbers the last change identity resolution
	// made to who is who; IdentityMapSequence is the last such change the
	// analytics store's identity map has applied.
	IdentityChangeSequence uint64 `json:"identity_change_sequence"`
	IdentityMapSequence    uint64 `json:"identity_map_sequence"`
}

// CaughtUp reports whether every store has applied the whole log, and
// analytics attributes events to profiles as identity resolution does.
func (p PipelineStats) CaughtUp() bool {
	return p.AnalyticsSequence >= p.LogSequence && p.IdentitySequence >= p.LogSequence &&
		p.IdentityMapSequence >= p.IdentityChangeSequence && p.FeedbackSequence >= p.LogSequence && p.SegmentsSequence >= p.LogSequence
}

// EventAppender appends events to the log. Append returns only once every
// event is durable; an event that was not appended returns an error and must
// be treated as not accepted.
type EventAppender interface {
	Append(ctx context.Context, events []Event) error
}

// TimelineFilter selects a customer's events by the user and anonymous ids
// their profile holds.
type TimelineFilter struct {
	Workspace    string
	UserIDs      []string
	AnonymousIDs []string
	// Since, if set, drops events before it.
	Since *time.Time
	Limit int
}

// EventService reads events back from the analytics store.
type EventService interface {
	// Timeline returns the events of a set of identifiers, oldest first.
	// Returns EINVALID for a bad limit.
	Timeline(ctx context.Context, f TimelineFilter) ([]*Event, error)

	// FindEvents returns matching events, newest first.
	// Returns EINVALID if the filter is malformed.
	FindEvents(ctx context.Context, filter EventFilter) ([]*Event, error)

	// Stats returns the event and profile totals of a workspace.
	Stats(ctx context.Context, workspace string) (Stats, error)
}
