package identity

import (
	"context"
	"encoding/json"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Store is the state the engine keeps. UpdateIdentity runs fn in one
// transaction; SettleIdentity makes durable what the store held back.
type Store interface {
	IdentityCheckpoint(ctx context.Context) (uint64, error)
	UpdateIdentity(ctx context.Context, fn func(Tx) error) error
	SettleIdentity(ctx context.Context) error
}

// Tx is the engine's view of the store inside a transaction.
type Tx interface {
	// Applied says the batch is applied up to log sequence seq. With
	// settle, everything held back must be made durable with it; otherwise
	// the store may hold the position, the batch's computed traits and its
	// event ids back to write them later in bulk (a crash then re-reads the
	// log from the last durable position).
	Applied(seq uint64, settle bool) error
	// FirstTime reports which of the event ids were never applied (an id
	// repeated in the list is new only the first time) and remembers them.
	FirstTime(workspace string, eventIDs []string) ([]bool, error)
	// Prefetch reads ahead the states of the profiles holding these
	// identifiers, in one go.
	Prefetch(workspace string, ids []touchpoint.Identifier) error
	// AddComputed adds what a batch's events add up to, by profile row.
	// The store takes deltas over: the caller must not change it after.
	AddComputed(deltas map[string]*touchpoint.ComputedTraits) error
	// Owner returns the profile row holding id, "" if none does, and the
	// profile that row reads as (itself unless it was merged).
	Owner(workspace string, id touchpoint.Identifier) (row, canonical string, err error)
	// Canonical follows merges from a profile row to the profile it reads as.
	Canonical(profileID string) (string, error)
	// Identifiers returns the identifiers of a profile and of every row
	// merged into it.
	Identifiers(canonical string) ([]touchpoint.Identifier, error)
	CreateProfile(workspace string, at time.Time) (string, error)
	Attach(workspace string, id touchpoint.Identifier, profileID, eventID string, at time.Time) error
	// UndoneMerge reports whether a merge between the two rows was undone.
	UndoneMerge(a, b string) (bool, error)
	Merge(m *touchpoint.Merge) error
	RejectMerge(r *touchpoint.MergeRejection) error
	State(profileID string) (*State, error)
	// SaveState writes a row's traits.
	SaveState(s *State) error
	TraitChanged(profileID, key string, value json.RawMessage, at time.Time, eventID string) error
	JoinAccount(profileID, workspace, groupID string, traits json.RawMessage, at time.Time) error
}

// State is a profile row's traits. (Its computed traits are added to with
// AddComputed, never read by the engine.)
type State struct {
	ProfileID string
	Traits    map[string]TraitValue
	// TraitsChanged says SaveState has something to write.
	TraitsChanged bool
}

// TraitValue is a trait's value and the time of the event that set it.
type TraitValue struct {
	Value json.RawMessage `json:"v"`
	At    time.Time       `json:"t"`
}
