package touchpoint

import (
	"context"
	"encoding/json"
	"time"
)

// Profile is one customer as Touchpoint knows them: every identifier they
// used, their traits, and what their events add up to. A profile that was
// merged into another reads as part of it until the merge is undone.
type Profile struct {
	ID          string              `json:"id"`
	Workspace   string              `json:"workspace"`
	CreatedAt   time.Time           `json:"created_at"`
	Identifiers []ProfileIdentifier `json:"identifiers"`
	// Traits hold the latest value of each trait by event time.
	Traits   map[string]json.RawMessage `json:"traits"`
	Computed ComputedTraits             `json:"computed"`
	// Accounts are the companies or households the customer belongs to
	// (Segment group calls).
	Accounts []ProfileAccount `json:"accounts"`
	// Scores are the churn and lifetime-value predictions of the last
	// scores refresh, when there was one.
	Scores *ProfileScores `json:"scores,omitempty"`
	// MergedFrom lists the profiles merged into this one.
	MergedFrom []string `json:"merged_from,omitempty"`
	// MergedInto is set when this profile was merged into another; reads
	// by its id answer with that one.
	MergedInto string `json:"merged_into,omitempty"`
}

// ProfileIdentifier is an identifier with when and how it joined.
type ProfileIdentifier struct {
	Identifier
	FirstSeen time.Time `json:"first_seen"`
	EventID   string    `json:"event_id,omitempty"`
}

// Account is a company, household or other group customers belong to,
// named by the groupId of Segment group calls.
type Account struct {
	ID        string                     `json:"id"`
	Workspace string                     `json:"workspace"`
	Traits    map[string]json.RawMessage `json:"traits"`
	UpdatedAt time.Time                  `json:"updated_at"`
	// Members are the profiles in the account (up to the limit asked for).
	Members []string `json:"members"`
}

// ProfileAccount is an account as seen from one of its members.
type ProfileAccount struct {
	ID       string                     `json:"id"`
	Traits   map[string]json.RawMessage `json:"traits"`
	JoinedAt time.Time                  `json:"joined_at"`
}

// ComputedTraits are maintained as events arrive.
type ComputedTraits struct {
	FirstSeen       time.Time        `json:"first_seen"`
	LastSeen        time.Time        `json:"last_seen"`
	Events          int64            `json:"events"`
	EventsByName    map[string]int64 `json:"events_by_name"`
	EventsByChannel map[string]int64 `json:"events_by_channel"`
	Orders          int64            `json:"orders"`
	Revenue         float64          `json:"revenue"`
	LastOrderAt     time.Time        `json:"last_order_at,omitzero"`
	LastNPS         *int             `json:"last_nps,omitempty"`
	LastNPSAt       time.Time        `json:"last_nps_at,omitzero"`
	// DaysSinceLastOrder is derived when the profile is read.
	DaysSinceLastOrder *int `json:"days_since_last_order,omitempty"`
}

// Add folds another set of computed traits (a merged profile's) into c.
func (c *ComputedTraits) Add(o *ComputedTraits) {
	if c.FirstSeen.IsZero() || (!o.FirstSeen.IsZero() && o.FirstSeen.Before(c.FirstSeen)) {
		c.FirstSeen = o.FirstSeen
	}
	if o.LastSeen.After(c.LastSeen) {
		c.LastSeen = o.LastSeen
	}
	c.Events += o.Events
	c.Orders += o.Orders
	c.Revenue += o.Revenue
	if o.LastOrderAt.After(c.LastOrderAt) {
		c.LastOrderAt = o.LastOrderAt
	}
	if o.LastNPS != nil && o.LastNPSAt.After(c.LastNPSAt) {
		c.LastNPS, c.LastNPSAt = o.LastNPS, o.LastNPSAt
	}
	for k, v := range o.EventsByName {
		if c.EventsByName == nil {
			c.EventsByName = map[string]int64{}
		}
		c.EventsByName[k] += v
	}
	for k, v := range o.EventsByChannel {
		if c.EventsByChannel == nil {
			c.EventsByChannel = map[string]int64{}
		}
		c.EventsByChannel[k] += v
	}
}

// Merge records that two profiles became one.
type Merge struct {
	ID          string       `json:"id"`
	Workspace   string       `json:"workspace"`
	Winner      string       `json:"winner"`
	Loser       string       `json:"loser"`
	EventID     string       `json:"event_id"`
	Reason      string       `json:"reason"`
	Identifiers []Identifier `json:"identifiers"`
	CreatedAt   time.Time    `json:"created_at"`
	UndoneAt    *time.Time   `json:"undone_at,omitempty"`
	UndoneBy    string       `json:"undone_by,omitempty"`
}

// MergeRejection records a merge the rules did not allow.
type MergeRejection struct {
	ID          int64        `json:"id"`
	Workspace   string       `json:"workspace"`
	EventID     string       `json:"event_id"`
	Profiles    []string     `json:"profiles"`
	Identifiers []Identifier `json:"identifiers"`
	Reason      string       `json:"reason"`
	CreatedAt   time.Time    `json:"created_at"`
}

// TraitChange is one value a trait was set to, by an event.
type TraitChange struct {
	Key     string          `json:"key"`
	Value   json.RawMessage `json:"value"`
	At      time.Time       `json:"at"`
	EventID string          `json:"event_id"`
}

// ProfileService reads profiles.
type ProfileService interface {
	// FindProfile returns the profile holding an identifier, or by profile
	// id. Returns ENOTFOUND if there is none.
	FindProfile(ctx context.Context, workspace string, id Identifier) (*Profile, error)

	// Unmerge undoes a merge: the loser profile and its identifiers stand
	// on their own again, and the two are not merged again automatically.
	// Returns ENOTFOUND if there is no such merge, ECONFLICT if it was
	// already undone.
	Unmerge(ctx context.Context, workspace, mergeID, by string) (*Merge, error)

	// Merges lists the merges involving a profile or any profile merged
	// into it, oldest first.
	Merges(ctx context.Context, workspace, profileID string) ([]*Merge, error)

	// MergeRejections lists, newest first, up to limit merges involving
	// the profile that the rules did not allow, with their reasons.
	MergeRejections(ctx context.Context, workspace, profileID string, limit int) ([]*MergeRejection, error)

	// TraitHistory lists, newest first, up to limit values the profile's
	// traits took (one trait if key is not empty), late arrivals included.
	TraitHistory(ctx context.Context, workspace, profileID, key string, limit int) ([]TraitChange, error)

	// FindAccount returns an account with up to limit of its members.
	// Returns ENOTFOUND if the workspace has no such account.
	FindAccount(ctx context.Context, workspace, id string, limit int) (*Account, error)

	// SearchProfiles finds profiles by the start of an identifier or by
	// text in their traits. Returns EINVALID for an empty query.
	SearchProfiles(ctx context.Context, workspace, q string, limit int) ([]*Profile, error)

	// CountProfiles counts the workspace's profiles (merged ones count once).
	CountProfiles(ctx context.Context, workspace string) (int64, error)

	// IdentityCheckpoint is the last log sequence identity resolution applied.
	IdentityCheckpoint(ctx context.Context) (uint64, error)

	// LastIdentityChange numbers the newest change resolution made to who
	// is who (an identifier joining a profile, a merge, an unmerge, traits).
	LastIdentityChange(ctx context.Context) (uint64, error)

	// IdentityRules returns a workspace's merge rules (the defaults if none
	// were set).
	IdentityRules(ctx context.Context, workspace string) (IdentityRules, error)

	// SetIdentityRules replaces a workspace's merge rules for events
	// resolved from then on. Returns EINVALID naming the bad rule.
	SetIdentityRules(ctx context.Context, workspace string, r IdentityRules) error
}
