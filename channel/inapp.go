package channel

import (
	"context"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// InAppStore keeps in-app messages until the web widget fetches them.
type InAppStore interface {
	PutInApp(ctx context.Context, workspace, profileID string, m *touchpoint.InAppMessage, expires time.Time) error
}

// InApp "sends" by storing the message for the widget, which fetches a
// customer's pending messages from GET /v1/inapp. Storing is idempotent
// on the message id.
type InApp struct {
	Store InAppStore
	// TTL is how long a message waits to be seen.
	TTL time.Duration
}

// Send stores the message.
func (s *InApp) Send(ctx context.Context, m *Message) (Receipt, error) {
	at := m.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	ttl := s.TTL
	if ttl == 0 {
		ttl = 30 * 24 * time.Hour
	}
	msg := &touchpoint.InAppMessage{ID: m.ID, Title: m.Title, Body: m.Text, URL: m.URL, CreatedAt: at}
	if err := s.Store.PutInApp(ctx, m.Workspace, m.ProfileID, msg, at.Add(ttl)); err != nil {
		return Receipt{}, Retry(0, err)
	}
	return Receipt{ProviderID: m.ID}, nil
}
