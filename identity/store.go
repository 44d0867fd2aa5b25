package identity

import (
	"context"
	"encoding/json"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Store is the state the engine keeps. Update runs fn in one transaction.
type Store interface {
	IdentityCheckpoint(ctx context.Context) (uint64, error)
	UpdateIdentity(ctx context.Context, fn func(Tx) error) error
}

// Tx is the engine's view of the store inside a transaction.
type Tx interface {
	SaveCheckpoint(seq uint64) error
	// FirstTime records event ids and reports which of them are new (an id
	// repeated in the list is new only the first time).
	FirstTime(workspace string, eventIDs []string) ([]bool, error)
	// Prefetch looks up the owners of many identifiers in one go, so that
	// Owner can answer from memory for the rest of the transaction.
	Prefetch(workspace string, ids []touchpoint.Identifier) error
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
	SaveState(s *State) error
	TraitChanged(profileID, key string, value json.RawMessage, at time.Time, eventID string) error
	JoinAccount(profileID, workspace, groupID string, traits json.RawMessage, at time.Time) error
}

// State is what one profile row accumulates.
type State struct {
	ProfileID string
	Traits    map[string]TraitValue
	Computed  touchpoint.ComputedTraits
	// TraitsChanged tells SaveState that Traits must be written too; most
	// events change only computed traits.
	TraitsChanged bool
}

// TraitValue is a trait's value and the time of the event that set it.
type TraitValue struct {
	Value json.RawMessage `json:"v"`
	At    time.Time       `json:"t"`
}
