package touchpoint

import (
	"context"
	"time"
)

// OverviewFilter selects the period an overview covers: [From, To).
type OverviewFilter struct {
	Workspace string
	From, To  time.Time
}

// Validate returns EINVALID naming a bad bound.
func (f OverviewFilter) Validate() error {
	if f.From.IsZero() {
		return FieldError("from", "required")
	}
	if f.To.IsZero() {
		return FieldError("to", "required")
	}
	if !f.From.Before(f.To) {
		return FieldError("to", "must be after from")
	}
	if f.To.Sub(f.From) > 731*24*time.Hour {
		return FieldError("from", "the period may be at most two years")
	}
	return nil
}

// Overview is what a workspace's events add up to over a period, by day
// (UTC), channel and source.
type Overview struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Events and Customers are totals over the period; a customer is a
	// profile with at least one event in it.
	Events       int64 `json:"events"`
	Customers    int64 `json:"customers"`
	NewCustomers int64 `json:"new_customers"`

	EventsByDay    []DayChannelCount `json:"events_by_day"`
	CustomersByDay []DayCustomers    `json:"customers_by_day"`
	ByChannel      []KeyCount        `json:"by_channel"`
	BySource       []KeyCount        `json:"by_source"`
	TopEvents      []KeyCount        `json:"top_events"`
}

// DayChannelCount counts a day's events on one channel.
type DayChannelCount struct {
	Day     time.Time `json:"day"`
	Channel string    `json:"channel"`
	Count   int64     `json:"count"`
}

// DayCustomers counts the customers active on a day and those whose first
// event ever was that day.
type DayCustomers struct {
	Day    time.Time `json:"day"`
	Active int64     `json:"active"`
	New    int64     `json:"new"`
}

// KeyCount is a count for one value of a breakdown.
type KeyCount struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// OverviewService answers the dashboard's overview questions.
type OverviewService interface {
	// Overview returns the workspace's counts over the period.
	// Returns EINVALID for a bad period.
	Overview(ctx context.Context, f OverviewFilter) (*Overview, error)

	// EventsBySource counts the workspace's events of the period by source id.
	// Returns EINVALID for a bad period.
	EventsBySource(ctx context.Context, f OverviewFilter) ([]KeyCount, error)

	// ActiveProfiles returns the ids of the profiles with the most recent
	// events, most recent first.
	ActiveProfiles(ctx context.Context, workspace string, limit int) ([]string, error)
}
