package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Change is one step of identity resolution that the analytics store's
// copy of the identity map must follow, in the order resolution made them.
// Resolution records changes in the same transaction as its own writes, so
// the feed never misses or invents one.
type Change struct {
	Seq       uint64
	Workspace string
	// Row is the profile row the change is about.
	Row string
	// Identifier, when set, joined Row. Only user ids and anonymous ids are
	// fed: they are what events carry.
	Identifier *touchpoint.Identifier
	// Profile is what Row reads as from this change on: itself, or the
	// profile it was merged into. For a traits change it is the profile
	// whose composed traits changed.
	Profile string
	// Traits marks a change of Profile's traits rather than of the map.
	Traits bool
}

// ChangeSource is where the feed reads changes: the state store.
type ChangeSource interface {
	// IdentityChanges returns up to limit changes after seq, in order.
	IdentityChanges(ctx context.Context, after uint64, limit int) ([]Change, error)
	// LastIdentityChange is the sequence of the newest change (0 if none).
	LastIdentityChange(ctx context.Context) (uint64, error)
	// ComposedTraits returns the current traits of profiles as a profile
	// read composes them (the latest value of each trait over the profile
	// and every row merged into it). A profile that is merged into another
	// now, or unknown, is absent from the answer.
	ComposedTraits(ctx context.Context, workspace string, profiles []string) (map[string]json.RawMessage, error)
}

// MapBatch is what the analytics store applies in one transaction.
type MapBatch struct {
	Identifiers []MapEntry
	// Rows re-points every identifier a row holds to another profile.
	Rows   []RowProfile
	Traits []ProfileTraits
	// LastSeq is the checkpoint to store with the batch.
	LastSeq uint64
}

// MapEntry places one identifier.
type MapEntry struct {
	Workspace, Kind, Value, Row, Profile string
}

// RowProfile says what profile a row reads as now.
type RowProfile struct {
	Workspace, Row, Profile string
}

// ProfileTraits is a profile's composed traits; Deleted drops the profile
// (it was merged into another).
type ProfileTraits struct {
	Workspace, Profile string
	Traits             json.RawMessage
	Deleted            bool
}

// MapSink is the analytics store's side of the feed.
type MapSink interface {
	IdentityMapCheckpoint(ctx context.Context) (uint64, error)
	ApplyIdentityMap(ctx context.Context, b MapBatch) error
}

// Feed copies identity changes from the state store into the analytics
// store, so that queries attribute events to profiles as resolution does.
// It runs beside the log consumers; Notify wakes it when a change was made.
type Feed struct {
	src    ChangeSource
	sink   MapSink
	logger *slog.Logger
	wake   chan struct{}
	// BatchSize is how many changes one analytics transaction applies.
	BatchSize int
}

// NewFeed returns a feed from src to sink.
func NewFeed(src ChangeSource, sink MapSink, logger *slog.Logger) *Feed {
	return &Feed{src: src, sink: sink, logger: logger, wake: make(chan struct{}, 1), BatchSize: 10000}
}

// Notify tells the feed there is something to copy. It never blocks.
func (f *Feed) Notify() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run copies changes until ctx is done, waking on Notify and at least once
// a second. A failed batch is retried with backoff.
func (f *Feed) Run(ctx context.Context) error {
	pause := 500 * time.Millisecond
	for {
		if err := f.CatchUp(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			f.logger.Error("identity map feed failed; retrying", "err", err, "retry_in", pause)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(pause):
			}
			pause = min(pause*2, time.Minute)
			continue
		}
		pause = 500 * time.Millisecond
		select {
		case <-ctx.Done():
			return nil
		case <-f.wake:
		case <-time.After(time.Second):
		}
	}
}

// CatchUp applies every change made so far.
func (f *Feed) CatchUp(ctx context.Context) error {
	for {
		after, err := f.sink.IdentityMapCheckpoint(ctx)
		if err != nil {
			return err
		}
		changes, err := f.src.IdentityChanges(ctx, after, f.BatchSize)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		b, err := f.batch(ctx, changes)
		if err != nil {
			return err
		}
		if err := f.sink.ApplyIdentityMap(context.WithoutCancel(ctx), b); err != nil {
			return err
		}
	}
}

// Wait blocks until the feed has applied every change made before the
// call, or ctx ends.
func (f *Feed) Wait(ctx context.Context) error {
	target, err := f.src.LastIdentityChange(ctx)
	if err != nil {
		return err
	}
	f.Notify()
	for {
		done, err := f.sink.IdentityMapCheckpoint(ctx)
		if err != nil {
			return err
		}
		if done >= target {
			return nil
		}
		select {
		case <-ctx.Done():
			return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "analytics has not caught up with identity changes yet; queries may show the old attribution for a moment")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// batch folds changes into what the sink applies: the last word on each
// row wins, and each changed profile's traits are read once.
func (f *Feed) batch(ctx context.Context, changes []Change) (MapBatch, error) {
	b := MapBatch{LastSeq: changes[len(changes)-1].Seq}
	type rowKey struct{ ws, row string }
	final := map[rowKey]string{}
	rowMoved := map[rowKey]bool{}
	traits := map[string]map[string]bool{} // workspace → profiles
	for _, c := range changes {
		if c.Traits {
			if traits[c.Workspace] == nil {
				traits[c.Workspace] = map[string]bool{}
			}
			traits[c.Workspace][c.Profile] = true
			continue
		}
		k := rowKey{c.Workspace, c.Row}
		final[k] = c.Profile
		if c.Identifier == nil {
			rowMoved[k] = true
		}
	}
	for _, c := range changes {
		if c.Identifier != nil {
			b.Identifiers = append(b.Identifiers, MapEntry{Workspace: c.Workspace, Kind: c.Identifier.Kind, Value: c.Identifier.Value,
				Row: c.Row, Profile: final[rowKey{c.Workspace, c.Row}]})
		}
	}
	for k := range rowMoved {
		b.Rows = append(b.Rows, RowProfile{Workspace: k.ws, Row: k.row, Profile: final[k]})
	}
	sort.Slice(b.Rows, func(i, j int) bool { return b.Rows[i].Row < b.Rows[j].Row })
	for ws, set := range traits {
		ids := make([]string, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		got, err := f.src.ComposedTraits(ctx, ws, ids)
		if err != nil {
			return b, fmt.Errorf("composed traits: %w", err)
		}
		for _, id := range ids {
			if t, ok := got[id]; ok {
				b.Traits = append(b.Traits, ProfileTraits{Workspace: ws, Profile: id, Traits: t})
			} else {
				b.Traits = append(b.Traits, ProfileTraits{Workspace: ws, Profile: id, Deleted: true})
			}
		}
	}
	return b, nil
}
