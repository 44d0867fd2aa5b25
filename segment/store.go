package segment

import (
	"context"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/identity"
)

// Checkpoint is how far the engine has got, stored with every pass's
// effects: the log sequence applied, the last identity change followed,
// the number of passes (which numbers the events a pass records, so a pass
// redone after a crash records the same ids) and the time of the last
// sweep.
type Checkpoint struct {
	Seq            uint64
	IdentityChange uint64
	Pass           uint64
	// ChangedPass is the last pass that changed membership: the analytics
	// store's copy is up to date when its checkpoint says that pass.
	ChangedPass uint64
	SweptAt     time.Time
}

// Change is one profile entering or leaving a segment.
type Change struct {
	Workspace string
	SegmentID string
	ProfileID string
	Entered   bool
	Reason    string
	// EventID is the segment.entered or segment.exited event recorded, ""
	// when none is (a profile merged into another leaves quietly).
	EventID string
	At      time.Time
}

// Evaluated records that a segment's membership reflects a version of
// its definition.
type Evaluated struct {
	Workspace, SegmentID string
	Version              int
}

// Delivery is a body to send to every destination of a segment.
type Delivery struct {
	Workspace, SegmentID string
	Body                 []byte
}

// Pass is what one pass of the engine commits in one transaction: the
// changes, the events recording them (an outbox, appended to the log after
// the commit and cleared once appended), deliveries to destinations, and
// the checkpoint.
type Pass struct {
	Checkpoint
	At         time.Time
	Changes    []Change
	Outbox     []touchpoint.Event
	Evaluated  []Evaluated
	Deliveries []Delivery
}

// MemberChange is one row of the analytics store's segment_members copy.
type MemberChange struct {
	Workspace, SegmentID, ProfileID string
	In                              bool
}

// FactRow is what the analytics store holds toward a fact, by the
// identifiers of the events (or feedback items) it comes from.
type FactRow struct {
	UserID, AnonymousID string
	Time                time.Time
	// Key is the event id (or feedback item id) of count facts.
	Key string
	// Text or Number is the value of latest facts that keep one.
	Text   string
	Number float64
}

// FeedbackItem is what the engine needs of a feedback item to count it by
// sentiment.
type FeedbackItem struct {
	ID, UserID, AnonymousID string
	Sentiment               string
	CreatedAt               time.Time
}

// Store is what the engine keeps in the state store, and what it reads
// there.
type Store interface {
	SegmentCheckpoint(ctx context.Context) (Checkpoint, error)
	// AllSegments lists every workspace's segments.
	AllSegments(ctx context.Context) ([]*touchpoint.Segment, error)
	// LoadSegmentMembers calls fn for every membership.
	LoadSegmentMembers(ctx context.Context, fn func(workspace, segmentID, profileID string) error) error
	// CommitSegmentPass stores a pass in one transaction. Changes to
	// segments deleted meanwhile are dropped.
	CommitSegmentPass(ctx context.Context, p *Pass) error
	// SegmentOutbox returns events committed but not yet appended to the
	// log; ClearSegmentOutbox forgets appended ones.
	SegmentOutbox(ctx context.Context) ([]touchpoint.Event, error)
	ClearSegmentOutbox(ctx context.Context, ids []string) error

	// SegmentIdentities calls row for every profile row and ident for
	// every user id and anonymous id, from one snapshot, and returns the
	// last identity change the snapshot includes.
	SegmentIdentities(ctx context.Context, row func(id, workspace, mergedInto string), ident func(workspace, kind, value, row string)) (uint64, error)
	IdentityChanges(ctx context.Context, after uint64, limit int) ([]identity.Change, error)
	IdentityCheckpoint(ctx context.Context) (uint64, error)
	// SegmentProfileData reads the traits, computed counts and accounts of
	// profiles, each given as its rows (canonical first).
	SegmentProfileData(ctx context.Context, workspace string, profiles map[string][]string) (map[string]*ProfileData, error)
	// AccountMemberRows lists the profile rows in an account.
	AccountMemberRows(ctx context.Context, workspace, accountID string) ([]string, error)
	FeedbackCheckpoint(ctx context.Context) (uint64, error)
	// FeedbackSentiments returns feedback items by id.
	FeedbackSentiments(ctx context.Context, workspace string, ids []string) (map[string]FeedbackItem, error)
}

// Analytics is what the engine reads from and writes to the analytics
// store.
type Analytics interface {
	// Checkpoint is the log sequence whose events the store has.
	Checkpoint(ctx context.Context) (uint64, error)
	FeedbackCheckpoint(ctx context.Context) (uint64, error)
	LoadFact(ctx context.Context, workspace string, f *Fact, upto uint64, fn func(FactRow) error) error
	SegmentMembersCheckpoint(ctx context.Context) (uint64, error)
	ApplySegmentMembers(ctx context.Context, changes []MemberChange, pass uint64) error
	ReplaceSegmentMembers(ctx context.Context, all func(yield func(MemberChange) error) error, pass uint64) error
}
