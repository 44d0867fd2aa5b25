package touchpoint

import (
	"context"
	"strings"
)

// ActivityService lists what customers do, so that a person building a
// funnel, a path or a retention grid picks activities and properties that
// exist instead of typing names from memory.
type ActivityService interface {
	// Activities lists the activities in the scope, most frequent first.
	// Returns EINVALID naming the bad field of the filter.
	Activities(ctx context.Context, f ActivityFilter) ([]ActivityStat, error)
	// ActivityProperties lists the property keys of one activity's most
	// recent events, most common first, with a few of their values.
	// Returns EINVALID naming the bad field of the filter.
	ActivityProperties(ctx context.Context, f PropertyQuery) ([]PropertyStat, error)
}

// MaxActivities bounds the activities one listing returns.
const MaxActivities = 1000

// ActivityFilter selects the activities to list.
type ActivityFilter struct {
	Scope
	// Limit is how many activities to list (default 200, at most
	// MaxActivities).
	Limit int `json:"limit,omitempty"`
}

// Validate checks the filter and fills defaults.
func (f *ActivityFilter) Validate() error {
	if err := f.Scope.Validate(); err != nil {
		return err
	}
	return defaultInt(&f.Limit, "limit", 200, 1, MaxActivities)
}

// ActivityStat is one activity with how often it happened in the scope.
type ActivityStat struct {
	Activity string `json:"activity"`
	Count    int64  `json:"count"`
	Profiles int64  `json:"profiles"`
}

// PropertyQuery names the activity whose properties to list.
type PropertyQuery struct {
	Workspace string `json:"-"`
	// Activity is a track call's event name, or "page:Name" / "screen:Name".
	Activity string `json:"activity"`
	// Sample is how many of the activity's most recent events are read
	// (default 5,000, at most 50,000).
	Sample int `json:"sample,omitempty"`
}

// Validate checks the filter and fills defaults.
func (f *PropertyQuery) Validate() error {
	if f.Workspace == "" {
		return FieldError("workspace", "required")
	}
	if strings.TrimSpace(f.Activity) == "" {
		return FieldError("activity", "required")
	}
	return defaultInt(&f.Sample, "sample", 5000, 1, 50000)
}

// PropertyStat is one property key of an activity: how many of the sampled
// events carry it, and its most common values.
type PropertyStat struct {
	// Key is a condition field: "properties.revenue".
	Key    string   `json:"key"`
	Count  int64    `json:"count"`
	Values []string `json:"values"`
}
