package touchpoint

import (
	"context"
	"time"
)

// Source types. A source's type sets the default channel of the events it
// sends when the events do not say.
var SourceTypes = map[string]string{
	"web":        ChannelWeb,
	"ios":        ChannelApp,
	"android":    ChannelApp,
	"app":        ChannelApp,
	"server":     ChannelServer,
	"csv":        ChannelImport,
	"import":     ChannelImport,
	"webhook":    ChannelServer,
	"email":      ChannelEmail,
	"sms":        ChannelSMS,
	"store":      ChannelStore,
	"pos":        ChannelStore,
	"callcenter": ChannelCallCenter,
	"support":    ChannelSupport,
	"survey":     ChannelSurvey,
	"review":     ChannelReview,
}

// Source is one origin of events (a website, an app, a server, a CSV upload,
// a webhook). Each has its own write key, which SDKs send as the HTTP Basic
// user or as writeKey in the body. Write keys are not secrets in the way admin
// keys are: a web source's key is in every visitor's browser.
type Source struct {
	ID        string     `json:"id"`
	Workspace string     `json:"workspace"`
	Name      string     `json:"name"`
	Type      string     `json:"type"`
	WriteKey  string     `json:"write_key"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Revoked reports whether the source's key no longer accepts events.
func (s *Source) Revoked() bool { return s.RevokedAt != nil }

// Channel is the channel of events from this source that name none.
func (s *Source) Channel() string {
	if c, ok := SourceTypes[s.Type]; ok {
		return c
	}
	return ChannelServer
}

// Validate returns EINVALID naming the first bad field.
func (s *Source) Validate() error {
	if s.Workspace == "" {
		return FieldError("workspace", "required")
	}
	if s.Name == "" {
		return FieldError("name", "required")
	} else if len(s.Name) > 200 {
		return FieldError("name", "must be at most 200 characters")
	}
	if _, ok := SourceTypes[s.Type]; !ok {
		return FieldError("type", "unknown source type %q (want one of %s)", s.Type, sourceTypeList())
	}
	return nil
}

func sourceTypeList() string {
	return "web, ios, android, app, server, csv, import, webhook, email, sms, store, pos, callcenter, support, survey, review"
}

// SourceFilter selects sources. Nil fields do not filter.
type SourceFilter struct {
	Workspace      *string
	ID             *string
	WriteKey       *string
	IncludeRevoked bool
}

// SourceService manages sources and their write keys.
type SourceService interface {
	// CreateSource stores s, assigning its ID, WriteKey and CreatedAt.
	// Returns EINVALID for bad fields, ENOTFOUND if the workspace is unknown.
	CreateSource(ctx context.Context, s *Source) error

	// FindSources returns matching sources ordered by creation time.
	FindSources(ctx context.Context, filter SourceFilter) ([]*Source, error)

	// FindSourceByWriteKey returns the source holding key, revoked or not.
	// Returns ENOTFOUND if no source ever held it.
	FindSourceByWriteKey(ctx context.Context, key string) (*Source, error)

	// RevokeSource stops a source's key from accepting events. Revoking is
	// final; create a new source to get a new key.
	// Returns ENOTFOUND if the source is not in the workspace.
	RevokeSource(ctx context.Context, workspace, id string) (*Source, error)
}
