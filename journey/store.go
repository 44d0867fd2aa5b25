package journey

import (
	"context"
	"encoding/json"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Store is the state the engine and the dispatcher keep. It is
// implemented by the state store (sqlite.DB).
type Store interface {
	touchpoint.JourneyService
	touchpoint.MessagingSettingsService
	touchpoint.ConsentService

	// JourneysCheckpoint is the last log sequence the engine applied.
	JourneysCheckpoint(ctx context.Context) (uint64, error)
	// UpdateJourneys runs fn in one write transaction.
	UpdateJourneys(ctx context.Context, fn func(Tx) error) error
	// PublishedJourneys returns every journey that was ever published
	// (live or stopped) with all its versions.
	PublishedJourneys(ctx context.Context) ([]*touchpoint.Journey, []*touchpoint.JourneyVersion, error)
	// DateTraits calls fn with every unmerged profile of the workspace
	// that has trait set, with the trait's JSON value.
	DateTraits(ctx context.Context, workspace, trait string, fn func(profileID string, value json.RawMessage) error) error
	// ResolveProfiles finds the profile of each set of identifiers (tried
	// most specific first); nil where none is known.
	ResolveProfiles(ctx context.Context, keys []IdentifierSet) ([]*ProfileRef, error)
	// MessagingSecret returns the workspace's signing secret, made on first use.
	MessagingSecret(ctx context.Context, workspace string) ([]byte, error)

	// Outbox.
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]*touchpoint.Delivery, error)
	// ReclaimSending puts deliveries left in sending by a crash back to
	// pending and returns how many there were.
	ReclaimSending(ctx context.Context, now time.Time) (int, error)
	// ClaimDelivery marks a pending delivery sending (and, when counted,
	// logs the contact for the budget) unless the budget is spent, in one
	// transaction. It reports the budget verdict.
	ClaimDelivery(ctx context.Context, d *touchpoint.Delivery, b BudgetCheck) (ok bool, err error)
	// FinishDelivery stores a delivery's outcome and bumps the node's
	// counter for it (metric, if not empty); uncount drops its contact
	// log entry (the message never reached the customer).
	FinishDelivery(ctx context.Context, d *touchpoint.Delivery, metric string, uncount bool) error
	// PutInApp stores an in-app message (once per id).
	PutInApp(ctx context.Context, workspace, profileID string, m *touchpoint.InAppMessage, expires time.Time) error
	// PendingInApp returns the profiles' undelivered or unseen, unexpired
	// messages, and marks them delivered; delivered lists the ids that were
	// delivered for the first time now.
	PendingInApp(ctx context.Context, workspace string, profileIDs []string, now time.Time) (msgs []*touchpoint.InAppMessage, delivered []string, err error)
	// SeenInApp marks a message seen; false if it is not the profiles'.
	SeenInApp(ctx context.Context, workspace string, profileIDs []string, id string, now time.Time) (bool, error)
	// AddCount adds to one per-node counter.
	AddCount(ctx context.Context, k CountKey, n int64) error
	// FindDelivery returns one delivery. Returns ENOTFOUND.
	FindDelivery(ctx context.Context, workspace, id string) (*touchpoint.Delivery, error)
	// IsSuppressed reports whether an address is on the suppression list.
	IsSuppressed(ctx context.Context, workspace, kind, value string) (bool, error)
}

// BudgetCheck is the contact budget applied when claiming a delivery.
// Max 0 means the delivery does not count (webhooks) or there is no cap.
type BudgetCheck struct {
	Count bool
	Max   int
	Since time.Time
	Now   time.Time
}

// Tx is the engine's view of the store inside a transaction.
type Tx interface {
	SaveCheckpoint(seq uint64) error
	// ActiveEnrolments returns the active enrolments of any of the profiles.
	ActiveEnrolments(workspace string, profileIDs []string) ([]*touchpoint.Enrolment, error)
	// Entries tells how often a profile entered a journey, whether a run is
	// active, and when it last entered.
	Entries(workspace, journeyID, profileID string) (Entries, error)
	// InsertEnrolment stores a new enrolment; false if its id exists.
	InsertEnrolment(e *touchpoint.Enrolment) (bool, error)
	// SaveEnrolment stores the new position of an enrolment the
	// transaction read or inserted.
	SaveEnrolment(e *touchpoint.Enrolment) error
	// DueEnrolments returns active enrolments whose timer is at or before now.
	DueEnrolments(now time.Time, limit int) ([]*touchpoint.Enrolment, error)
	// Enqueue adds a delivery to the outbox; a delivery whose id exists is
	// left as it is.
	Enqueue(d *touchpoint.Delivery) error
	// AddCounts adds to per-node counters.
	AddCounts(c map[CountKey]int64) error
	// SetListMember adds a profile to a list or removes it.
	SetListMember(workspace, list, profileID string, add bool, at time.Time) error
	// DateRun marks a day as covered by the date pass; false if it was.
	DateRun(workspace, journeyID string, version int, day string) (bool, error)
}

// Entries summarises a profile's runs through one journey.
type Entries struct {
	Count  int
	Active bool
	Last   time.Time
}

// CountKey names one per-node counter.
type CountKey struct {
	Workspace string
	JourneyID string
	Version   int
	NodeID    string
	Metric    string
}

// IdentifierSet is an event's identifiers, most specific first.
type IdentifierSet struct {
	Workspace string
	IDs       []touchpoint.Identifier
}

// ProfileRef is what the engine needs to match an event to journeys: the
// profile, its user id if any, and every row merged into it (enrolments
// made before a merge name the row they were made for).
type ProfileRef struct {
	ID     string
	UserID string
	Rows   []string
}
