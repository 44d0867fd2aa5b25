// Package identity resolves every event to one customer profile.
//
// The engine reads the log in batches. For each event it takes the
// identifiers the event carries (touchpoint.EventIdentifiers), finds the
// profiles that hold them, and then:
//
//   - none holds any: a new profile is created with all of them;
//   - one does: the unknown identifiers join it, within the workspace's
//     per-kind limits;
//   - several do: they are merged into the profile of the most specific
//     identifier, unless a rule forbids it (two different user ids, a limit,
//     a merge that was undone), in which case the rejection is recorded
//     with its reason and nothing is merged.
//
// Profiles are never rewritten by a merge: the loser is marked as merged
// into the winner and reads as part of it, so undoing a merge restores both
// exactly. Each event's traits and computed traits land on the profile row
// that owns its most specific identifier.
//
// Every batch is one transaction in the state store, which also records the
// log sequence applied and the ids of the events seen, so a crash or a
// replayed event changes nothing twice.
package identity
