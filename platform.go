package touchpoint

import (
	"encoding/json"
	"fmt"
	"time"
)

// SystemSourceID is the source of the events Touchpoint records itself:
// survey answers, messages sent, segment and journey changes, cases. They
// go through the log like any customer event, so analytics and the journey
// map see the platform's touchpoints beside the customer's.
const SystemSourceID = "touchpoint"

// KindProfile is the identifier kind that names a profile by its id. A
// platform event about a customer who has no user id carries it in
// context.externalIds, and identity resolution attributes the event to
// that profile (or the profile it was merged into).
const KindProfile = "profile"

// PlatformEvent describes an event Touchpoint records about a customer.
type PlatformEvent struct {
	// ID must be deterministic for the action it records (for example
	// "jrn:<enrolment>:<node>:sent"), so that recording it twice after a
	// crash stores it once.
	ID        string
	Workspace string
	// Profile is the customer. UserID, if the profile has one, is sent as
	// the event's userId; otherwise the event names the profile itself.
	ProfileID string
	UserID    string
	// AnonymousID is a device id, for a customer known by nothing else yet
	// (a website visitor answering the survey widget). It is sent as the
	// event's anonymousId when there is no profile id, and beside the
	// user id when there is one, so identity resolution links the two.
	AnonymousID string
	// Event is the event name, lower-case and dotted for platform actions
	// ("message.sent", "segment.entered"); see docs/EVENTS.md.
	Event      string
	Channel    string
	Properties map[string]any
	Timestamp  time.Time
}

// platformContext is the context of a platform event that names no profile id.
var platformContext = []byte(`{"library":{"name":"touchpoint"}}`)

// Build makes the log event. Returns EINVALID naming the missing field.
func (p PlatformEvent) Build() (Event, error) {
	switch {
	case p.ID == "":
		return Event{}, FieldError("id", "required")
	case p.Workspace == "":
		return Event{}, FieldError("workspace", "required")
	case p.ProfileID == "" && p.UserID == "" && p.AnonymousID == "":
		return Event{}, FieldError("profile_id", "required when there is no user id or anonymous id")
	case p.Event == "":
		return Event{}, FieldError("event", "required")
	case p.Timestamp.IsZero():
		return Event{}, FieldError("timestamp", "required")
	}
	ev := Event{
		ID: p.ID, Workspace: p.Workspace, SourceID: SystemSourceID, Type: TypeTrack, Event: p.Event,
		UserID: p.UserID, Channel: p.Channel, Timestamp: p.Timestamp.UTC(), ReceivedAt: p.Timestamp.UTC(),
	}
	var err error
	switch {
	case p.UserID == "" && p.ProfileID != "":
		ev.AnonymousID = p.ProfileID
		ctx := map[string]any{"library": map[string]string{"name": "touchpoint"},
			"externalIds": []map[string]string{{"type": KindProfile, "id": p.ProfileID, "collection": "users"}}}
		if ev.Context, err = json.Marshal(ctx); err != nil {
			return Event{}, fmt.Errorf("platform event context: %w", err)
		}
	default:
		ev.AnonymousID = p.AnonymousID
		ev.Context = append(json.RawMessage(nil), platformContext...)
	}
	if len(p.Properties) > 0 {
		if ev.Properties, err = json.Marshal(p.Properties); err != nil {
			return Event{}, FieldError("properties", "%s", err.Error())
		}
	}
	return ev, nil
}
