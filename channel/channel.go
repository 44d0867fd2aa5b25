package channel

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Message is one rendered message, ready for a channel.
type Message struct {
	// ID is the idempotency key of the journey step that sends it. Every
	// channel passes it on, so a receiver can recognise a repeat.
	ID        string
	Workspace string
	ProfileID string
	Channel   string
	// To is the email address, the phone number (E.164) or the URL.
	To   string
	From string
	// Subject, HTML and Text make an email; Text is also an SMS's body and
	// an in-app message's body; Title and URL belong to in-app messages.
	Subject string
	HTML    string
	Text    string
	Title   string
	URL     string
	// UnsubscribeURL goes in the List-Unsubscribe header of emails.
	UnsubscribeURL string
	// Body is a webhook's JSON body; Secret signs it.
	Body   []byte
	Secret []byte
	// AllowedHosts are outbound hosts an admin allowed for this workspace.
	AllowedHosts []string
	// At is when the send was decided, for signatures and dates.
	At time.Time
}

// Receipt is what a channel reports for a message it took.
type Receipt struct {
	// ProviderID is the receiver's id for the message (the SMTP
	// Message-ID, the gateway's id, the HTTP status).
	ProviderID string
	// Delivered is true when taking the message means the customer has
	// it (a webhook's 2xx), not only that it is on its way.
	Delivered bool
}

// Sender sends messages of one channel. An error that is not marked
// permanent (Abort) is retried later.
type Sender interface {
	Send(ctx context.Context, m *Message) (Receipt, error)
}

// Registry holds the senders by channel name.
type Registry struct {
	mu      sync.RWMutex
	senders map[string]Sender
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{senders: map[string]Sender{}} }

// Register adds (or replaces) the sender of a channel.
func (r *Registry) Register(name string, s Sender) {
	r.mu.Lock()
	r.senders[name] = s
	r.mu.Unlock()
}

// Sender returns a channel's sender.
func (r *Registry) Sender(name string) (Sender, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.senders[name]
	return s, ok
}

// Names lists the registered channels.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for n := range r.senders {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Error steers what the dispatcher does after a failed send: retry after
// a while (the default for any error) or give up at once.
type Error struct {
	Permanent  bool
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Retry marks err as worth retrying, no sooner than after (0: the
// dispatcher's backoff decides).
func Retry(after time.Duration, err error) error { return &Error{RetryAfter: after, Err: err} }

// Abort marks err as permanent: retrying cannot help (a bad address, a
// rejected request).
func Abort(err error) error { return &Error{Permanent: true, Err: err} }

// Abortf is Abort with a formatted error.
func Abortf(format string, args ...any) error { return Abort(fmt.Errorf(format, args...)) }

// IsPermanent reports whether err was marked with Abort.
func IsPermanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

// RetryAfter returns the pause err asks for, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
